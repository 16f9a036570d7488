// AgentTransport: the byte stream to one VM's agent. Two kinds reach the
// same virtio-serial port: the channel's unix socket on the libvirt host
// (when that host is this machine) and a libvirt stream from
// virDomainOpenChannel (works over remote connections too).
#pragma once

#include "protocol/Result.h"
#include "protocol/UniqueFd.h"

#include <chrono>
#include <memory>
#include <string>

namespace pidvisor::manager {

class Connection;

class AgentTransport {
public:
    virtual ~AgentTransport() = default;
    [[nodiscard]] virtual Status write(std::string_view bytes) = 0;
    // Some bytes, or "" when none came within `timeout`; Unavailable once
    // the stream has ended.
    [[nodiscard]] virtual Result<std::string> read(std::chrono::milliseconds timeout) = 0;
    [[nodiscard]] virtual std::string describe() const = 0;
    // Ends the stream now: a read waiting on another thread returns at once.
    virtual void interrupt() = 0;
};

[[nodiscard]] Result<std::unique_ptr<AgentTransport>> openUnixTransport(const std::string& path);
// A stream socket that is already connected, e.g. one end of a socketpair
// whose other end an agent Session serves in the same process (tests).
// `what` names it in messages.
[[nodiscard]] std::unique_ptr<AgentTransport> adoptSocketTransport(UniqueFd fd, const std::string& what);
// A stream on the domain's channel (`name`), or with `console` its serial console.
[[nodiscard]] Result<std::unique_ptr<AgentTransport>> openStreamTransport(const Connection& conn,
                                                                         const std::string& domain,
                                                                         const std::string& name, bool console);

} // namespace pidvisor::manager
