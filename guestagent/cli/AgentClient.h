// AgentClient: a blocking client of the agent's unix socket for the
// in-guest CLI: one request at a time, progress frames passed to a callback.
#pragma once

#include "protocol/FrameChannel.h"
#include "protocol/Message.h"

#include <functional>
#include <optional>

namespace pidvisor::agent {

class AgentClient {
public:
    using ProgressFn = std::function<void(const protocol::Progress&)>;

    [[nodiscard]] static Result<AgentClient> connect(const std::string& socketPath);

    // Sends one request and waits for its response. An error response
    // becomes the Result's error.
    [[nodiscard]] Result<protocol::Response> call(std::string_view cmd, nlohmann::json args,
                                                  std::optional<std::chrono::milliseconds> timeout = std::nullopt,
                                                  const ProgressFn& onProgress = {});

private:
    explicit AgentClient(UniqueFd fd) : m_channel(std::make_unique<protocol::FrameChannel>(std::move(fd))) {}

    std::unique_ptr<protocol::FrameChannel> m_channel;
    std::uint64_t m_nextId = 1;
};

} // namespace pidvisor::agent
