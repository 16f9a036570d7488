// AgentClient: a blocking client of the agent's unix socket for the
// in-guest CLI: one request at a time, progress frames passed to the
// call's callback. The typed calls come from protocol::AgentCalls.
#pragma once

#include "protocol/AgentCalls.h"
#include "protocol/FrameChannel.h"

#include <memory>

namespace pidvisor::agent {

class AgentClient final : public protocol::AgentCalls {
public:
    [[nodiscard]] static Result<AgentClient> connect(const std::string& socketPath);

    [[nodiscard]] Result<std::uint64_t> sendRequest(std::string_view cmd, nlohmann::json args,
                                                    const protocol::CallOptions& options) override;
    [[nodiscard]] Status send(const protocol::Frame& frame) override;
    // Waits for the response to `id`; an error response becomes the
    // Result's error.
    [[nodiscard]] Result<protocol::Response> await(std::uint64_t id, const protocol::CallOptions& options) override;

private:
    explicit AgentClient(UniqueFd fd) : m_channel(std::make_unique<protocol::FrameChannel>(std::move(fd))) {}

    std::unique_ptr<protocol::FrameChannel> m_channel;
    std::uint64_t m_nextId = 1;
    std::optional<Error> m_sendError;
};

} // namespace pidvisor::agent
