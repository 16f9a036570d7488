// AgentServer: `pidvisor-agent serve`. Owns the state directory, the
// container manager, the unix socket for the in-guest CLI (root only, never
// from inside a container) and the stream port to the host.
#pragma once

#include <string>

namespace pidvisor::agent {

struct ServeOptions {
    std::string socketPath = "/run/pidvisor/agent.sock";
    std::string stateDir = "/var/lib/pidvisor";
    std::string portPath;            // virtio-serial port, pty or unix socket to connect to
    std::string pidSpace = "auto";   // auto, clone3, proc-container
    std::string initBinary;          // default: pidvisor-init next to this binary
    std::string imagesDir = "/run/pidvisor/images"; // container images (mounted disks or trees)
    bool imageDisks = true; // look for image disks (off where the agent runs on a host, in tests)
    std::string version;
};

// Runs until SIGTERM or SIGINT; returns the process exit code.
int serve(const ServeOptions& options);

} // namespace pidvisor::agent
