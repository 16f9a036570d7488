// ImageArchiveBuilder: real OCI and docker image archives for tests, made
// with libarchive the way `podman save` and `docker save` lay them out
// (blobs named by their sha256, index.json or manifest.json, the config
// with its diff_ids), including the hostile shapes a crafted archive can
// take (entries outside the root, writes through symlinks, bad digests).
//
//   ImageArchiveBuilder b;
//   b.layer({file("etc/passwd", "root:x:0:0::/root:/bin/sh\n"), dir("data", 0755, 999, 999)});
//   b.config["config"]["Cmd"] = {"/bin/sh"};
//   b.writeOci(dir / "image.tar");
#pragma once

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace pidvisor::manager::test {

struct TarEntry {
    enum class Type { File, Dir, Symlink, Hardlink, CharDevice, Fifo };
    Type type = Type::File;
    std::string name;
    std::string data;  // File: the contents
    std::string link;  // Symlink: the target; Hardlink: the other entry
    mode_t mode = 0644;
    uid_t uid = 0;
    gid_t gid = 0;
};

TarEntry file(std::string name, std::string data, mode_t mode = 0644, uid_t uid = 0, gid_t gid = 0);
TarEntry dir(std::string name, mode_t mode = 0755, uid_t uid = 0, gid_t gid = 0);
TarEntry symlink(std::string name, std::string target);
TarEntry hardlink(std::string name, std::string target);
TarEntry charDevice(std::string name);
TarEntry fifo(std::string name);

// A tar (pax) of the entries, gzip-compressed when asked.
std::string makeTar(const std::vector<TarEntry>& entries, bool gzip = false);
std::string sha256Hex(const std::string& bytes);
// A file's bytes ("" when it cannot be read).
std::string readText(const std::filesystem::path& file);

class ImageArchiveBuilder {
public:
    ImageArchiveBuilder();

    // Layers in order, the lowest first. gzip: an OCI layer's usual form
    // (docker archives are always uncompressed).
    void layer(std::vector<TarEntry> entries, bool gzip = false);

    nlohmann::json config;  // "architecture", "os", "config": {...}; rootfs is filled in
    std::string reference;  // "docker.io/library/redis:7"; "" for none
    // After a blob is made, before it is stored: lets a test alter it.
    std::function<void(std::string& layerBytes, std::size_t index)> tamperLayer;

    // The config's digest (the image's): "sha256:<hex>".
    [[nodiscard]] std::string configDigest() const;

    void writeOci(const std::filesystem::path& out) const;
    void writeDocker(const std::filesystem::path& out) const;

private:
    struct Layer {
        std::string bytes;   // as stored in an OCI archive
        std::string plain;   // uncompressed (docker archives)
        std::string diffId;  // sha256 of the uncompressed tar
        bool gzip = false;
    };
    [[nodiscard]] std::string configBytes() const;

    std::vector<Layer> m_layers;
};

} // namespace pidvisor::manager::test
