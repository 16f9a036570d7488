// ImageVolume: packs a finished staging directory (ImageStaging.h: rootfs/
// and image.json) into the read-only erofs file that is delivered to VMs as
// a disk. The erofs root is the staging directory itself, so the agent in
// the VM finds image.json beside rootfs/ on the mounted disk.
//
// The same staging tree (same files, owners, modes, xattrs and mtimes, same
// image.json) gives the same bytes: the superblock's build time and UUID
// are derived from the tree and the digest, never from the clock.
//
//   PV_TRY(std::int64_t bytes, packImageVolume(staging, images / (hex + ".erofs"), progress));
#pragma once

#include "ImageStaging.h"

#include "core/Progress.h"
#include "protocol/Result.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace pidvisor::manager {

// Runs mkfs.erofs over staging.dir into a temporary file beside `out`,
// then renames it to `out`. Returns the size of `out` in bytes. Nothing is
// left at `out` or beside it when it fails. The digest for the UUID is
// read from staging's image.json.
[[nodiscard]] Result<std::int64_t> packImageVolume(const ImageStaging& staging, const std::filesystem::path& out,
                                                   const ProgressFn& progress);

// "01234567-89ab-8cde-8f01-23456789abcd": the first 128 bits of a
// "sha256:<hex>" digest as an RFC 9562 version 8 (custom) UUID.
[[nodiscard]] std::string volumeUuid(const std::string& digest);

} // namespace pidvisor::manager
