#include "AgentClient.h"

namespace pidvisor::agent {

Result<AgentClient> AgentClient::connect(const std::string& socketPath)
{
    auto fd = protocol::connectUnixSocket(socketPath);
    if (!fd)
        return fail(fd.error().withContext("is the agent running? (pidvisor-agent serve)"));
    return AgentClient(std::move(*fd));
}

Result<protocol::Response> AgentClient::call(std::string_view cmd, nlohmann::json args,
                                             std::optional<std::chrono::milliseconds> timeout,
                                             const ProgressFn& onProgress)
{
    std::uint64_t id = m_nextId++;
    auto sent = m_channel->send(protocol::makeRequest(id, cmd, std::move(args)));
    for (;;) {
        // A refused connection is closed right after its error frame: read
        // that frame even when the send failed.
        auto received = m_channel->receive(sent ? timeout : std::optional(std::chrono::milliseconds(1000)));
        if (!received)
            return fail(sent ? received.error() : sent.error());
        protocol::Frame frame = std::move(*received);
        auto frameId = protocol::frameId(frame);
        std::string kind = protocol::frameKind(frame);
        if (kind == "progress" && frameId == id) {
            if (auto p = protocol::parseProgress(frame); p && onProgress)
                onProgress(*p);
            continue;
        }
        if (kind != "response")
            continue;
        PV_TRY(protocol::Response response, protocol::parseResponse(std::move(frame)));
        if (response.id != id && response.id != protocol::kConnectionId)
            continue;
        if (!response.result)
            return fail(response.result.error());
        return response;
    }
}

} // namespace pidvisor::agent
