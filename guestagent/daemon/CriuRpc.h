// CriuRpc: one conversation with `criu swrk`, CRIU's RPC service. It starts
// criu as a child of the agent with one end of a SOCK_SEQPACKET socketpair,
// sends the request, answers CRIU's notifications (post-dump,
// setup-namespaces, pre-resume, ...) through a handler, and returns the
// final response as CRIU reported it (success, errno, its message, the
// restored pid). A handler's error makes CRIU undo the operation and is
// what the call returns. A conversation that outlives its timeout is cut:
// criu is killed and reaped.
#pragma once

#include "CriuRequest.h"

#include "protocol/Result.h"

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>

namespace pidvisor::agent {

struct CriuNotification {
    std::string script; // CRIU's action name: "post-dump", "setup-namespaces", ...
    pid_t pid = 0;      // the root task's pid, where CRIU sends one
};
using CriuNotifyHandler = std::function<Status(const CriuNotification&)>;

struct CriuAnswer {
    bool success = false;
    int crErrno = 0;          // CRIU's errno for a failure, 0 when it gave none
    std::string crErrmsg;     // CRIU's own message for a failure
    pid_t restoredPid = 0;    // restore: the root of the restored tree (global)
    std::vector<std::string> notifications; // every script name, in order
};

struct CriuRpcOptions {
    std::string binary; // "" finds criu in /usr/sbin, /usr/bin, /sbin
    std::chrono::milliseconds timeout = std::chrono::minutes(30);
};

// The installed criu executable (/usr/sbin/criu when none is found).
[[nodiscard]] std::string criuBinary();

[[nodiscard]] Result<CriuAnswer> callCriu(const CriuRequest& request, const CriuNotifyHandler& onNotify,
                                          const CriuRpcOptions& options = {});

} // namespace pidvisor::agent
