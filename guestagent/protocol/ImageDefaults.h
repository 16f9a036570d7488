// ImageDefaults: how an image's config becomes a container's spec, the
// same for the manager's CLI and GUI and for the in-guest CLI. As `docker
// run IMAGE [CMD...]`: argv is the image's Entrypoint followed by CMD when
// one is given, else by the image's Cmd; the image's Env comes first and
// the spec's own entries win; WorkingDir and the user apply unless the
// spec sets them.
#pragma once

#include "Result.h"
#include "Types.h"

#include <string>
#include <vector>

namespace pidvisor::protocol {

// `spec` holds what the user gave (name, env, limits, cwd when cwdGiven);
// `command` the command after the image name, possibly empty.
[[nodiscard]] Status applyImage(ContainerSpec& spec, const ImageInfo& image, const std::vector<std::string>& command,
                                bool cwdGiven);

// The spec's user namespace from the create options every front end has
// (--userns, --userns-base BASE; a base implies --userns; 0: none given).
[[nodiscard]] Result<std::optional<UserNamespace>> userNamespaceOption(bool userns, std::int64_t base);

// The command an image runs when none is given ("" when it has none), for
// showing: Entrypoint + Cmd joined by spaces.
[[nodiscard]] std::string defaultCommandText(const ImageConfig& config);

} // namespace pidvisor::protocol
