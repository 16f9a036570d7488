// CheckpointFiles: the files of a checkpoint, as its manifest lists them
// and as they travel between agent and host.
//
// A checkpoint is a directory: CRIU's images (images/, and pre-N/ for the
// rounds of a live migration), the container's filesystem changes
// (rootfs.tar) and manifest.json, whose "files" lists every other file with
// its size and sha256 (or a symlink's target). Files travel as data frames
// of up to kChunk bytes: {"stream": PATH, "offset": N, "eof": bool,
// "symlink": TARGET?}; CheckpointReceiver writes them on the other side.
// Files are read through BeneathDir: a symlink in a checkpoint is data,
// never followed.
#pragma once

#include "Frame.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::protocol {

inline constexpr std::size_t kChunk = 1 << 20;

struct CheckpointFile {
    std::string path; // relative to the checkpoint directory
    std::uint64_t size = 0;
    std::string sha256;
    std::string symlink; // a symlink's target instead of content

    [[nodiscard]] nlohmann::json toJson() const;
};

[[nodiscard]] Result<std::vector<CheckpointFile>> filesFromManifest(const nlohmann::json& manifest);
[[nodiscard]] nlohmann::json filesToJson(const std::vector<CheckpointFile>& files);
// One hash for the whole checkpoint: over the sorted "path sha256" lines.
[[nodiscard]] std::string checkpointDigest(const std::vector<CheckpointFile>& files);
[[nodiscard]] std::uint64_t totalSize(const std::vector<CheckpointFile>& files);

// "ck-20261129-101530-a1b2c3": sortable, unique enough, a valid name.
[[nodiscard]] std::string newCheckpointId();

// Relative, no "..", no empty parts, only [A-Za-z0-9._-/].
[[nodiscard]] Status validateCheckpointPath(std::string_view path);

using FileProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// The sha256 of a file (path relative to the checkpoint, size) when it is
// already known for certain, so that it need not be read again.
using KnownHash = std::function<std::optional<std::string>(const std::string& path, std::uint64_t size)>;

// Every file under `dir` whose path starts with `prefix`, hashed (the
// manifest itself excluded) unless `known` has its hash.
[[nodiscard]] Result<std::vector<CheckpointFile>> scanCheckpoint(const std::string& dir, const std::string& prefix = {},
                                                                const KnownHash& known = {});
// Each file exists with its size and sha256; the error names the first that
// does not ("file images/pages-1.img is corrupt: sha256 mismatch").
[[nodiscard]] Status verifyCheckpoint(const std::string& dir, const std::vector<CheckpointFile>& files,
                                      const FileProgress& progress = {});

using DataSink = std::function<Status(nlohmann::json header, std::string_view payload)>;
[[nodiscard]] Status sendCheckpointFiles(const std::string& dir, const std::vector<CheckpointFile>& files,
                                         const DataSink& send, const FileProgress& progress = {});

} // namespace pidvisor::protocol
