// GuestImage: a bootable guest (kernel + initramfs with busybox, CRIU and
// our agent), content-addressed by its inputs and cached outside the
// checkout. ImageBuilder runs the recipe (packaging/guest/build-image.sh),
// which reports progress and prints the image directory.
#pragma once

#include "core/Paths.h"
#include "core/Progress.h"

#include "protocol/Result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace pidvisor::manager {

struct GuestImage {
    std::string id; // content hash
    std::string dir;
    std::string kernelPath;
    std::string initrdPath;
    std::string cmdline;
    std::string kernelKind; // stock, container, path
    std::string kernelVersion;
    std::string kernelRelease;
    std::string criuVersion;
    std::int64_t sizeBytes = 0;
    nlohmann::json manifest;

    // Reads an image directory's manifest.json.
    [[nodiscard]] static Result<GuestImage> load(const std::string& dir);
};

class ImageBuilder {
public:
    explicit ImageBuilder(Paths paths) : m_paths(std::move(paths)) {}

    // `kernel`: stock, container, or a path to a kernel image.
    [[nodiscard]] Result<GuestImage> build(const std::string& kernel, const ProgressFn& progress) const;

private:
    Paths m_paths;
};

class Inventory;

// Builds (or finds in the cache) an image and records it in the inventory.
[[nodiscard]] Result<GuestImage> buildAndRecordImage(Inventory& inventory, const Paths& paths,
                                                     const std::string& kernel, const ProgressFn& progress);

// Parses "progress 42 some stage" lines of the build scripts.
[[nodiscard]] std::optional<Progress> parseProgressLine(const std::string& line);

} // namespace pidvisor::manager
