// ImageFiles: what both sides know of an image on disk. Its description is
// image.json beside rootfs/ (the manager writes it into the volume, the
// agent reads it from the mounted disk; each reads it as data from a
// possibly hostile file: not a symlink, a regular file of at most 1 MiB,
// shape-checked before it is parsed). The hex of its digest names its
// directory, its volume and its disk.
#pragma once

#include "Result.h"
#include "Types.h"

#include <string>
#include <string_view>

namespace pidvisor::protocol {

inline constexpr std::size_t kMaxImageInfoBytes = 1 << 20;

// Reads and checks an image.json.
[[nodiscard]] Result<ImageInfo> readImageInfoFile(const std::string& file);

// "sha256:ab.." -> "ab.."; a digest without an algorithm stays as it is.
[[nodiscard]] std::string digestHex(std::string_view digest);

} // namespace pidvisor::protocol
