// AgentCli: the `pidvisor-agent` command line: `serve` runs the daemon;
// `container ...`, `guest-exec` and `info` talk to it over its unix socket.
// Human tables by default, --json for scripts.
#pragma once

namespace pidvisor::agent {

int runAgentCli(int argc, char** argv);

} // namespace pidvisor::agent
