#include "AgentClient.h"

namespace pidvisor::agent {

Result<AgentClient> AgentClient::connect(const std::string& socketPath)
{
    auto fd = protocol::connectUnixSocket(socketPath);
    if (!fd)
        return fail(fd.error().withContext("is the agent running? (pidvisor-agent serve)"));
    return AgentClient(std::move(*fd));
}

Result<std::uint64_t> AgentClient::sendRequest(std::string_view cmd, nlohmann::json args,
                                               const protocol::CallOptions& options)
{
    std::uint64_t id = m_nextId++;
    // A refused connection is closed right after its error frame: await()
    // still reads that frame when the send failed.
    auto sent = m_channel->send(protocol::makeRequest(id, cmd, std::move(args), options.payload));
    m_sendError = sent ? std::nullopt : std::optional(sent.error());
    return id;
}

Status AgentClient::send(const protocol::Frame& frame)
{
    return m_channel->send(frame);
}

Result<protocol::Response> AgentClient::await(std::uint64_t id, const protocol::CallOptions& options)
{
    for (;;) {
        auto received = m_channel->receive(m_sendError ? std::chrono::milliseconds(1000) : options.timeout);
        if (!received)
            return fail(m_sendError ? *m_sendError : received.error());
        protocol::Frame frame = std::move(*received);
        auto frameId = protocol::frameId(frame);
        std::string kind = protocol::frameKind(frame);
        if (kind == "progress" && frameId == id) {
            if (auto p = protocol::parseProgress(frame); p && options.onProgress)
                options.onProgress(*p);
            continue;
        }
        if (kind == "data" && frameId == id) {
            if (options.onData)
                options.onData(frame);
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
