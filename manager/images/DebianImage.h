// DebianImage: a container image built from Debian packages, their
// maintainer scripts run (so redis-server has its user, its directories and
// its configuration), by packaging/images/debian-image.sh (mmdebstrap, a
// private apt configuration and a .deb cache under the cache directory: a
// rebuild with warm caches needs no network). Fills an ImageStaging like
// OciImport.h does.
//
// The digest is the input's: the base and every installed package as
// NAME=VERSION, sorted. The same packages at the same versions give the
// same image whatever was asked for (redis-server and redis-server,libc6
// are one image); a new version in the archive gives a new one.
//
//   DebianImageRequest req{.name = "redis", .packages = {"redis-server"}};
//   PV_TRY(protocol::ImageInfo info, buildDebianImage(paths, req, staging, progress));
#pragma once

#include "ImageStaging.h"

#include "core/Paths.h"
#include "core/Progress.h"
#include "protocol/Result.h"
#include "protocol/Types.h"

#include <string>
#include <vector>

namespace pidvisor::manager {

struct DebianImageRequest {
    std::string name;
    std::vector<std::string> packages;
    std::string base = "debian:13"; // debian:13 (trixie) or debian:12 (bookworm)
};

// The Debian suite of a base ("debian:13" -> "trixie"), or an
// InvalidArgument naming the bases there are.
[[nodiscard]] Result<std::string> debianSuiteOf(const std::string& base);

// Checks the name, the package names (Debian policy 5.6.7) and the base
// before anything runs.
[[nodiscard]] Status checkDebianImageRequest(const DebianImageRequest& request);

// What an image's `source` says of the request: "debian:13 P1,P2".
[[nodiscard]] std::string debianImageSource(const DebianImageRequest& request);

// "base debian:13\n" + the sorted NAME=VERSION lines -> "sha256:<hex>".
[[nodiscard]] std::string debianImageDigest(const std::string& base, std::vector<std::string> installed);

// Needs root (maintainer scripts run in a chroot; file owners are kept).
// Writes only under staging.dir.
[[nodiscard]] Result<protocol::ImageInfo> buildDebianImage(const Paths& paths, const DebianImageRequest& request,
                                                           const ImageStaging& staging, const ProgressFn& progress);

} // namespace pidvisor::manager
