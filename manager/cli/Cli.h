// The `pidvisor` command line: global options, then a command group
// (vm, container, image, reconcile, ops, version).
#pragma once

#include "CliContext.h"

#include <CLI/CLI.hpp>

namespace pidvisor::manager {

inline constexpr const char* kPidvisorCliDescription = "pidvisor: checkpointable containers inside virtual machines";

// Adds every global option and command to `app`; `options` and `ctx`
// must outlive it. Tests and tools (completion) walk the result.
void definePidvisorCli(CLI::App& app, GlobalOptions& options, CliContext& ctx);

int runPidvisorCli(int argc, char** argv);

} // namespace pidvisor::manager
