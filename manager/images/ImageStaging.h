// ImageStaging: the one shape every way of making a container image ends
// in, before the image is packed into a read-only volume. A staging
// directory holds `rootfs/` (the image's root filesystem, owners, modes,
// xattrs and all) and, once the maker is done, `image.json` (a
// protocol::ImageInfo: name, digest, source, size, config). The packer
// (ImageVolume.h) turns that directory into an erofs file whose root is the
// staging directory itself, so a VM's agent finds both the tree and its
// description on the disk.
//
// Makers: OCI and docker archives (OciImport.h), Debian packages
// (DebianImage.h). Each writes only under its staging directory and leaves
// it incomplete (no image.json) when it fails; the caller removes it.
#pragma once

#include "core/Progress.h"
#include "protocol/Result.h"
#include "protocol/Types.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace pidvisor::manager {

struct ImageStaging {
    std::filesystem::path dir; // holds rootfs/ and image.json

    [[nodiscard]] std::filesystem::path rootfs() const { return dir / "rootfs"; }
    [[nodiscard]] std::filesystem::path infoFile() const { return dir / "image.json"; }
};

// Writes info as image.json (atomically: temp file, fsync, rename).
[[nodiscard]] Status writeImageInfo(const ImageStaging& staging, const protocol::ImageInfo& info);
// (image.json is read back with protocol::readImageInfoFile, as the agent does.)

// Bytes of the regular files and symlinks under `root` (hard links once),
// not following symlinks.
[[nodiscard]] Result<std::int64_t> treeBytes(const std::filesystem::path& root);

// An OCI config's User ("", "name", "uid", "name:group", "uid:gid") resolved
// against rootfs/etc/passwd and rootfs/etc/group (read as data: never
// following a symlink out of rootfs, bounded). Sets config.uid and
// config.gid; "" leaves both unset (root). A name the image does not know is
// an InvalidArgument naming it.
[[nodiscard]] Status resolveImageUser(const std::filesystem::path& rootfs, protocol::ImageConfig& config);

} // namespace pidvisor::manager
