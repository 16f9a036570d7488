#include "AgentClient.h"

#include <algorithm>
#include <random>

namespace pidvisor::manager {

using nlohmann::json;
using protocol::Frame;

namespace {

std::uint64_t randomBase()
{
    // Ids unique across managers and reconnects, so a stale response from
    // an earlier connection never matches a new request.
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 20) + 1;
}

// "30 s", or "300 ms" when whole seconds would round it (to "0 s").
std::string seconds(std::chrono::milliseconds ms)
{
    if (ms.count() % 1000 != 0)
        return std::to_string(ms.count()) + " ms";
    return std::to_string(ms.count() / 1000) + " s";
}

} // namespace

AgentClient::AgentClient(std::string vmName, TransportFactory factory)
    : m_vm(std::move(vmName)), m_factory(std::move(factory)), m_nextId(randomBase())
{
    m_heartbeat = std::thread([this] { heartbeatLoop(); });
}

AgentClient::~AgentClient()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_stopHeartbeat.notify_all();
    m_heartbeat.join();
    disconnect();
}

void AgentClient::heartbeatLoop()
{
    constexpr auto kInterval = std::chrono::seconds(4);
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_stopHeartbeat.wait_for(lock, kInterval, [&] { return m_stopping.load(); });
        if (m_stopping || !m_connected || m_pending.empty())
            continue;
        std::string known = m_instance;
        lock.unlock();
        auto beat = sync("heartbeat", CallOptions{std::chrono::seconds(10), {}, {}, {}});
        lock.lock();
        if (!beat)
            continue;
        std::string now = beat->instance;
        if (!known.empty() && !now.empty() && now != known) {
            m_instance = now;
            lock.unlock();
            failAll(Error{ErrorCode::Unavailable, "the agent in VM '" + m_vm +
                                                      "' restarted; the requests it was answering were lost"});
            lock.lock();
        }
    }
}

void AgentClient::disconnect()
{
    std::thread reader;
    std::shared_ptr<AgentTransport> transport;
    {
        std::lock_guard lock(m_mutex);
        m_connected = false;
        transport = std::exchange(m_transport, nullptr);
        reader = std::move(m_reader);
    }
    // Wakes the reader now rather than at the end of its read timeout.
    if (transport)
        transport->interrupt();
    if (reader.joinable())
        reader.join();
    failAll(Error{ErrorCode::Unavailable, "disconnected from the agent in VM '" + m_vm + "'"});
}

protocol::HelloResult AgentClient::agentHello() const
{
    std::lock_guard lock(m_mutex);
    return m_hello;
}

Status AgentClient::handshake(AgentTransport& transport, std::chrono::steady_clock::time_point deadline)
{
    protocol::FrameReader reader;
    std::string nonce = std::to_string(m_nextId++);
    auto begun = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() < deadline) {
        std::uint64_t id = m_nextId++;
        auto bytes = protocol::encodeFrame(protocol::requestFrame(id, protocol::command::kSync, protocol::SyncArgs{nonce}));
        PV_TRY_STATUS(transport.write(*bytes));
        // Everything before our nonce's answer is left over from before.
        // QEMU holds what was written before the guest opened its port and
        // hands it over only when more arrives: while a VM boots, write
        // often, so the agent answers within a tenth of a second of opening
        // its port; after ten seconds, once a second.
        auto interval = std::chrono::steady_clock::now() - begun < std::chrono::seconds(10)
                            ? std::chrono::milliseconds(100)
                            : std::chrono::milliseconds(1000);
        auto wait = std::chrono::steady_clock::now() + interval;
        while (std::chrono::steady_clock::now() < wait) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(wait - std::chrono::steady_clock::now());
            PV_TRY(std::string chunk, transport.read(std::clamp(left, std::chrono::milliseconds(0),
                                                                std::chrono::milliseconds(100))));
            reader.feed(chunk);
            while (auto event = reader.next()) {
                if (!*event)
                    continue;
                auto response = protocol::parseResponse(std::move(**event));
                if (!response || !response->result)
                    continue;
                auto synced = protocol::decodeResult<protocol::SyncResult>(protocol::command::kSync.name,
                                                                           *response->result, {});
                if (synced && synced->nonce == nonce)
                    return {};
            }
        }
    }
    return fail(ErrorCode::Timeout, "no answer");
}

Status AgentClient::connect(std::chrono::milliseconds timeout, const std::string& hint)
{
    std::lock_guard connectLock(m_connectMutex);
    if (m_connected)
        return {};
    disconnect();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    Error last{ErrorCode::Timeout, "no answer"};
    while (std::chrono::steady_clock::now() < deadline && !m_stopping) {
        auto transport = m_factory();
        if (!transport) {
            last = transport.error();
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            continue;
        }
        auto synced = handshake(**transport, deadline);
        if (!synced) {
            last = synced.error();
            if (last.code != ErrorCode::Timeout)
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            continue;
        }
        std::shared_ptr<AgentTransport> shared(std::move(*transport));
        {
            std::lock_guard lock(m_mutex);
            m_transport = shared;
            m_connected = true;
            m_reader = std::thread([this, shared] { readLoop(shared); });
        }
        auto hello = AgentCalls::hello("pidvisor-manager", CallOptions{std::chrono::milliseconds(10000), {}, {}, {}});
        if (!hello) {
            last = hello.error();
            disconnect();
            // A different protocol does not change by retrying.
            if (last.code == ErrorCode::Unsupported)
                return fail(last.withContext("agent in VM '" + m_vm + "'"));
            continue;
        }
        std::lock_guard lock(m_mutex);
        m_hello = *hello;
        m_instance = m_hello.instance;
        return {};
    }
    std::string message = "agent in VM '" + m_vm + "' not answering after " + seconds(timeout) + " (" +
                          last.message + ")";
    if (!hint.empty())
        message += "; " + hint;
    return fail(ErrorCode::Timeout, message);
}

void AgentClient::readLoop(std::shared_ptr<AgentTransport> transport)
{
    protocol::FrameReader reader;
    for (;;) {
        {
            std::lock_guard lock(m_mutex);
            if (m_transport != transport)
                return;
        }
        auto chunk = transport->read(std::chrono::milliseconds(250));
        if (!chunk) {
            {
                std::lock_guard lock(m_mutex);
                if (m_transport == transport)
                    m_connected = false;
            }
            failAll(Error{ErrorCode::Unavailable,
                          "connection to the agent in VM '" + m_vm + "' was lost: " + chunk.error().message});
            return;
        }
        reader.feed(*chunk);
        while (auto event = reader.next()) {
            if (!*event)
                continue;
            // What the guest sends must never take the manager down: a
            // frame that makes a handler throw fails that request only.
            auto id = protocol::frameId(**event);
            try {
                dispatch(std::move(**event));
            } catch (const std::exception& e) {
                failRequest(id.value_or(protocol::kConnectionId),
                            Error{ErrorCode::ProtocolError, "the agent in VM '" + m_vm +
                                                                "' sent a malformed frame: " + e.what()});
            }
        }
    }
}

void AgentClient::failRequest(std::uint64_t id, const Error& error)
{
    std::lock_guard lock(m_mutex);
    auto it = m_pending.find(id);
    if (it == m_pending.end() || it->second->response)
        return;
    it->second->response = Result<protocol::Response>(fail(error));
    it->second->done.notify_all();
}

void AgentClient::dispatch(Frame frame)
{
    auto id = protocol::frameId(frame);
    if (!id)
        return;
    std::shared_ptr<Pending> pending;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_pending.find(*id);
        if (it == m_pending.end())
            return; // stale, or an id-0 complaint about bytes we did not send
        pending = it->second;
    }
    std::string kind = protocol::frameKind(frame);
    if (kind == "progress") {
        if (auto p = protocol::parseProgress(frame); p && pending->onProgress)
            pending->onProgress(*p);
        return;
    }
    if (kind == "data") {
        if (pending->onData)
            pending->onData(frame);
        return;
    }
    if (kind != "response")
        return;
    auto response = protocol::parseResponse(std::move(frame));
    std::lock_guard lock(m_mutex);
    // The entry stays until await() takes the response.
    pending->response = response ? Result<protocol::Response>(std::move(*response))
                                 : Result<protocol::Response>(fail(response.error()));
    pending->done.notify_all();
}

void AgentClient::failAll(const Error& error)
{
    std::lock_guard lock(m_mutex);
    for (auto& [id, p] : m_pending) {
        if (!p->response)
            p->response = Result<protocol::Response>(fail(error));
        p->done.notify_all();
    }
}

std::shared_ptr<AgentClient::Pending> AgentClient::registerPending(std::uint64_t id, const CallOptions& options)
{
    auto pending = std::make_shared<Pending>();
    pending->onProgress = options.onProgress;
    pending->onData = options.onData;
    std::lock_guard lock(m_mutex);
    m_pending[id] = pending;
    return pending;
}

Status AgentClient::send(const Frame& frame)
{
    std::shared_ptr<AgentTransport> transport;
    {
        std::lock_guard lock(m_mutex);
        transport = m_transport;
    }
    if (!transport || !m_connected)
        return fail(ErrorCode::Unavailable, "not connected to the agent in VM '" + m_vm + "'");
    PV_TRY(std::string bytes, protocol::encodeFrame(frame));
    // Frames from several threads (uploads, heartbeats, other calls) must
    // not interleave on the stream.
    std::lock_guard lock(m_writeMutex);
    return transport->write(bytes);
}

Result<std::uint64_t> AgentClient::sendRequest(std::string_view cmd, json args, const CallOptions& options)
{
    if (!m_connected)
        PV_TRY_STATUS(connect(std::chrono::seconds(10)));
    std::uint64_t id = m_nextId++;
    registerPending(id, options);
    if (auto sent = send(protocol::makeRequest(id, cmd, std::move(args), options.payload)); !sent) {
        std::lock_guard lock(m_mutex);
        m_pending.erase(id);
        return fail(sent.error());
    }
    return id;
}

Result<protocol::Response> AgentClient::call(std::string_view cmd, json args, const CallOptions& options)
{
    PV_TRY(std::uint64_t id, sendRequest(cmd, std::move(args), options));
    auto result = await(id, options);
    if (!result && result.error().code == ErrorCode::Timeout)
        return fail(ErrorCode::Timeout, "agent in VM '" + m_vm + "' did not answer '" + std::string(cmd) +
                                            "' within " + seconds(options.timeout));
    return result;
}

Result<protocol::Response> AgentClient::await(std::uint64_t id, const CallOptions& options)
{
    std::unique_lock lock(m_mutex);
    auto it = m_pending.find(id);
    if (it == m_pending.end())
        return fail(ErrorCode::Internal, "request " + std::to_string(id) + " is not in flight");
    auto pending = it->second;
    bool answered = pending->done.wait_for(lock, options.timeout, [&] { return pending->response.has_value(); });
    m_pending.erase(id);
    if (!answered)
        return fail(ErrorCode::Timeout, "no answer to request " + std::to_string(id));
    auto response = std::move(*pending->response);
    if (response && !response->result)
        return fail(response->result.error());
    return response;
}

} // namespace pidvisor::manager
