// AgentClient: the manager's client of one VM's agent.
//
// Thread-safe and multiplexed: any number of threads may call() at once;
// responses are matched by id on a reader thread, which also hands progress
// and data frames to the caller's callbacks. connect() opens the transport,
// resynchronises the stream (sync with a fresh nonce, retried until it
// answers: the VM may still be booting, or a previous host may have left a
// half frame) and handshakes (hello). A lost connection fails what is in
// flight with Unavailable; the next call reconnects. While requests are in
// flight a heartbeat (sync every few seconds) watches the agent's instance
// id: an agent that restarted (a virtio port does not tell the host) has
// lost them, and they fail at once instead of waiting for their timeout.
//
// The typed calls (agent.containerList(), agent.containerCreate(spec), ...)
// come from protocol::AgentCalls, one per command of protocol/Commands.h.
#pragma once

#include "AgentTransport.h"

#include "protocol/AgentCalls.h"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace pidvisor::manager {

using CallOptions = protocol::CallOptions;

class AgentClient final : public protocol::AgentCalls {
public:
    using TransportFactory = std::function<Result<std::unique_ptr<AgentTransport>>()>;

    AgentClient(std::string vmName, TransportFactory factory);
    ~AgentClient() override;
    AgentClient(const AgentClient&) = delete;
    AgentClient& operator=(const AgentClient&) = delete;

    // Connects and handshakes, retrying until `timeout`. `hint` is added to
    // a timeout error (the console log path).
    [[nodiscard]] Status connect(std::chrono::milliseconds timeout, const std::string& hint = {});
    [[nodiscard]] bool connected() const { return m_connected.load(); }
    // What the agent answered to the handshake's hello.
    [[nodiscard]] protocol::HelloResult agentHello() const;
    using protocol::AgentCalls::hello;

    // One request; reconnects first (briefly) when the connection was lost.
    [[nodiscard]] Result<protocol::Response> call(std::string_view cmd, nlohmann::json args,
                                                  const CallOptions& options = {}) override;
    // For requests that stream data to the agent: sendRequest(), then
    // send() its data frames, then await() its response.
    [[nodiscard]] Result<std::uint64_t> sendRequest(std::string_view cmd, nlohmann::json args,
                                                    const CallOptions& options) override;
    [[nodiscard]] Status send(const protocol::Frame& frame) override;
    [[nodiscard]] Result<protocol::Response> await(std::uint64_t id, const CallOptions& options) override;
    void disconnect();

private:
    struct Pending {
        std::condition_variable done;
        std::optional<Result<protocol::Response>> response;
        std::function<void(const protocol::Progress&)> onProgress;
        std::function<void(const protocol::Frame&)> onData;
    };

    [[nodiscard]] Status handshake(AgentTransport& transport, std::chrono::steady_clock::time_point deadline);
    void readLoop(std::shared_ptr<AgentTransport> transport);
    void dispatch(protocol::Frame frame);
    void failAll(const Error& error);
    void failRequest(std::uint64_t id, const Error& error);
    std::shared_ptr<Pending> registerPending(std::uint64_t id, const CallOptions& options);
    void heartbeatLoop();

    std::string m_vm;
    TransportFactory m_factory;
    std::mutex m_connectMutex; // one connect at a time
    std::mutex m_writeMutex;   // one frame at a time on the stream
    mutable std::mutex m_mutex;
    std::shared_ptr<AgentTransport> m_transport;
    std::thread m_reader;
    std::atomic<bool> m_connected{false};
    std::atomic<bool> m_stopping{false};
    std::atomic<std::uint64_t> m_nextId;
    std::map<std::uint64_t, std::shared_ptr<Pending>> m_pending;
    protocol::HelloResult m_hello;
    std::string m_instance;
    std::condition_variable m_stopHeartbeat;
    std::thread m_heartbeat;
};

} // namespace pidvisor::manager
