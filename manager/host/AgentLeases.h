// AgentLeases: who is using each VM's agent channel right now.
//
// A VM's virtio-serial channel serves one host connection at a time, so a
// front end that kept its agent connections open (the GUI) would lock out
// the `pidvisor` CLI. Operations hold a lease on the VMs they touch for as long as they
// run; the poller takes one around each poll and, when it is the last user,
// disconnects the agent so the channel is free again. Lifecycle operations
// (create, start, stop, destroy, delete) take exclusive leases: booting
// makes its own agent connection, so the poller leaves those VMs alone.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace pidvisor::manager {

class AgentClient;

class AgentLeases {
public:
    class Lease {
    public:
        Lease() = default;
        Lease(AgentLeases* owner, std::string vm, bool exclusive);
        Lease(Lease&& other) noexcept;
        Lease& operator=(Lease&& other) noexcept;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease();

        // Disconnect this client when the lease ends and nobody else uses the VM.
        void disconnectWhenIdle(std::shared_ptr<AgentClient> client) { m_client = std::move(client); }

    private:
        void release();
        AgentLeases* m_owner = nullptr;
        std::string m_vm;
        bool m_exclusive = false;
        std::shared_ptr<AgentClient> m_client;
    };

    [[nodiscard]] Lease acquire(const std::string& vm, bool exclusive);
    [[nodiscard]] bool exclusivelyHeld(const std::string& vm) const;
    [[nodiscard]] std::set<std::string> busy() const; // VMs with an exclusive lease

private:
    void release(const std::string& vm, bool exclusive, const std::shared_ptr<AgentClient>& client);

    struct Use {
        int shared = 0, exclusive = 0;
    };
    mutable std::mutex m_mutex;
    std::map<std::string, Use> m_uses;
};

} // namespace pidvisor::manager
