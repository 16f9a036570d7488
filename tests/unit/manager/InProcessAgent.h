// InProcessAgent: the real agent (its Dispatcher and Session, with a temp
// state directory) in the test's own process, reached through a link that
// behaves like a VM's virtio-serial port: the manager's end is a socket
// (AgentClient::TransportFactory, one socketpair per connection), the
// agent's end outlives host connections, and the test can do to the link
// what happens to a real one: leave half a frame on it in either
// direction, hold what the host writes (a paused VM), or restart the agent
// behind it (a new instance id, requests in flight lost).
//
// No containers: the commands that need none (hello, sync, guest-exec,
// container-list, checkpoint-list) are what the tests use.
#pragma once

#include "agent/AgentClient.h"

#include "protocol/UniqueFd.h"

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pidvisor::manager::test {

class InProcessAgent {
public:
    InProcessAgent();
    ~InProcessAgent();
    InProcessAgent(const InProcessAgent&) = delete;
    InProcessAgent& operator=(const InProcessAgent&) = delete;

    // Each call connects anew, as openUnixTransport would; an earlier
    // connection's link is closed.
    [[nodiscard]] AgentClient::TransportFactory factory();
    [[nodiscard]] int connections() const;
    [[nodiscard]] std::string instance() const;

    // Bytes the agent's reader gets next, as if a previous host wrote them.
    void injectTowardAgent(const std::string& bytes);
    // Bytes the next host connection reads first, as if the agent had
    // written them before the host went away.
    void injectTowardManager(const std::string& bytes);
    // Closes the current host connection's link, as when the host end of
    // the channel goes away; the agent stays.
    void dropHost();
    // While held, what the host writes stays in the link, unread.
    void hold();
    void release();
    // A new agent instance behind the same link; the old one ends with
    // what it held or was answering.
    void restart();

private:
    struct Instance;
    void startInstance();
    void relay();

    std::filesystem::path m_dir;
    int m_baseThreads = 0;
    mutable std::mutex m_mutex;
    std::vector<std::unique_ptr<Instance>> m_instances; // kept until the end: detached workers use them
    UniqueFd m_hostLink;  // the link's end facing the current host connection
    UniqueFd m_agentLink; // the link's end facing the current instance's Session
    std::string m_towardManager;
    std::string m_held;
    bool m_holding = false;
    int m_connections = 0;
    bool m_stopping = false;
    std::thread m_relay;
};

} // namespace pidvisor::manager::test
