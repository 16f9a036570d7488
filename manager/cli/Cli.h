// The `pidvisor` command line: global options, then a command group
// (vm, container, image, reconcile, ops, version).
#pragma once

namespace pidvisor::manager {

int runPidvisorCli(int argc, char** argv);

} // namespace pidvisor::manager
