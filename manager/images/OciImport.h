// OciImport: a container image from an archive someone saved elsewhere:
// an OCI image layout in a tar (`podman save --format oci-archive`,
// `skopeo copy ... oci-archive:`, `docker save` since Docker 25) or a
// docker archive (`docker save`, `podman save`). Fills an ImageStaging
// (rootfs/ and image.json): the layers applied in order with their
// whiteouts, the config's Entrypoint, Cmd, Env, WorkingDir and User.
//
// The archive is input from anywhere: every blob is checked against its
// digest (and size) before it is used; entry names are relative, without
// "..", never written through a symlink (libarchive's secure extraction
// plus our own checks); device nodes are left out (the container gets its
// own /dev); JSON is bounded and shape-checked before it is parsed. The
// digest of the image is its config's (what Podman and Docker call the
// image ID), so the same archive gives the same image.
//
//   PV_TRY(protocol::ImageInfo info, importImageArchive("redis.tar", staging, std::nullopt, progress));
#pragma once

#include "ImageStaging.h"

#include "core/Progress.h"
#include "protocol/Result.h"
#include "protocol/Types.h"

#include <filesystem>
#include <optional>
#include <string>

namespace pidvisor::manager {

// `name` defaults to the archive's reference ("docker.io/library/redis:7"
// gives "redis-7", ":latest" gives "redis"), else the file's name.
// Needs root (file owners are kept). Writes only under staging.dir.
[[nodiscard]] Result<protocol::ImageInfo> importImageArchive(const std::filesystem::path& archive,
                                                             const ImageStaging& staging,
                                                             const std::optional<std::string>& name,
                                                             const ProgressFn& progress);

// "docker.io/library/redis:7" -> "redis-7", "localhost/web:latest" ->
// "web", "file.oci.tar" (no tag) -> "file": letters, digits, '.', '_',
// '-' (others become '-'), at most 63 bytes; "" when nothing is left.
[[nodiscard]] std::string imageNameFromReference(const std::string& reference);

} // namespace pidvisor::manager
