// VmService: Pidvisor VMs on one libvirt host, kept in step with the
// inventory. Every change is an operation in the audit log.
//
// A VM is created from a guest image (built or taken from the cache, then
// uploaded to the host's "pidvisor" storage pool), defined as a persistent
// libvirt domain, started, and counted ready when its agent answers the
// handshake: that time is its boot-to-ready. The CLI and the GUI are thin
// front ends over this class; it never blocks on anything but its caller's
// thread.
#pragma once

#include "Accel.h"
#include "DomainXml.h"

#include "agent/AgentClient.h"
#include "core/Paths.h"
#include "core/Progress.h"
#include "images/GuestImage.h"
#include "inventory/Inventory.h"
#include "libvirt/Connection.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace pidvisor::manager {

struct VmCreateOptions {
    std::string name;
    std::int64_t memoryMiB = 512;
    int vcpus = 1;
    std::string kernel = "container"; // container (ours), stock, or a kernel file
    std::string accel = "auto";   // auto, kvm, tcg
    // The sparse qcow2 data disk that keeps the agent's state and the
    // containers' files across VM restarts; 0: none (files live in memory).
    std::int64_t diskMiB = 4096;
    // The libvirt network of its virtio NIC: "" for the default
    // (Networks.h: "pidvisor", or $PIDVISOR_NETWORK), "none" for no NIC.
    std::string network;
    std::chrono::seconds bootTimeout{180};
};

// How the manager reaches agents: the channel's unix socket when libvirt
// runs on this machine and the socket may be opened (not as a non-root
// member of the 'libvirt' group: it is QEMU's), a libvirt stream otherwise
// (or when forced).
enum class AgentTransportMode { Auto, Socket, Stream };

struct VmView {
    VmRecord record;
    std::string uri;
    std::optional<VmNetworkView> net; // filled by show()
    [[nodiscard]] nlohmann::json toJson() const;
};

struct ReconcileReport {
    std::vector<std::string> adopted, missing, refreshed, problems;
    int updated = 0;
    [[nodiscard]] nlohmann::json toJson() const;
};

class VmService {
public:
    VmService(Inventory& inventory, Connection& connection, Paths paths,
              AgentTransportMode mode = AgentTransportMode::Auto);
    ~VmService();

    [[nodiscard]] Result<VmView> create(const VmCreateOptions& options, const ProgressFn& progress);
    [[nodiscard]] Status start(const std::string& name, std::chrono::seconds bootTimeout, const ProgressFn& progress);
    // Asks the agent to power off, then ACPI, then destroys after `timeout`.
    [[nodiscard]] Result<std::string> stop(const std::string& name, std::chrono::seconds timeout);
    [[nodiscard]] Status destroy(const std::string& name);
    [[nodiscard]] Status remove(const std::string& name, bool force);

    [[nodiscard]] Result<std::vector<VmView>> list();
    [[nodiscard]] Result<VmView> show(const std::string& name);
    // The VM's NIC as libvirt reports it now (definition and DHCP leases);
    // reads only libvirt, so pollers may call it often.
    [[nodiscard]] Result<VmNetworkView> network(const std::string& name) const;
    [[nodiscard]] Result<std::string> consoleLog(const std::string& name, std::size_t maxBytes);
    // Connected client of the VM's agent (connecting when needed).
    [[nodiscard]] Result<std::shared_ptr<AgentClient>> agent(const std::string& name,
                                                             std::chrono::milliseconds timeout = std::chrono::seconds(20));
    [[nodiscard]] Result<ReconcileReport> reconcile(bool refreshContainers);
    // Replaces how agents are reached (the channel's socket or a libvirt
    // stream): unit tests answer in-process. Set before the first agent().
    using TransportOverride = std::function<Result<std::unique_ptr<AgentTransport>>(const std::string& vm)>;
    void overrideAgentTransport(TransportOverride open) { m_transportOverride = std::move(open); }
    [[nodiscard]] Result<GuestImage> buildImage(const std::string& kernel, const ProgressFn& progress);

    [[nodiscard]] Connection& connection() { return m_conn; }
    [[nodiscard]] Inventory& inventory() { return m_inventory; }
    [[nodiscard]] const Paths& paths() const { return m_paths; }
    [[nodiscard]] Result<std::int64_t> hostId();
    [[nodiscard]] Result<VmRecord> record(const std::string& name);
    // "HOST:/abs/inventory.db": written into each domain's metadata.
    [[nodiscard]] std::string ownerTag() const;
    // Adoption takes unowned domains, our own, and those whose inventory
    // on this machine is gone; never another live inventory's.
    [[nodiscard]] bool mayAdopt(const std::string& owner) const;

private:
    // `network`: the libvirt network of its NIC (ready), "" for none.
    [[nodiscard]] Result<VmRecord> defineVm(const VmCreateOptions& options, const GuestImage& image,
                                            const AccelChoice& accel, const std::string& network,
                                            const ProgressFn& progress);
    [[nodiscard]] Status boot(VmRecord& vm, std::chrono::seconds timeout, const ProgressFn& progress);
    [[nodiscard]] Result<AccelChoice> pickAccel(const std::string& requested) const;
    [[nodiscard]] AgentClient::TransportFactory transportFor(const std::string& name) const;
    [[nodiscard]] std::string consoleHint(const VmRecord& vm) const;
    void forgetAgent(const std::string& name);
    [[nodiscard]] Result<VmRecord> adopt(std::int64_t host, const DomainInfo& domain,
                                         const std::optional<PidvisorMetadata>& meta);
    [[nodiscard]] Status refreshContainerList(const VmRecord& vm);
    [[nodiscard]] Status refreshState(VmRecord& vm);

    Inventory& m_inventory;
    Connection& m_conn;
    Paths m_paths;
    AgentTransportMode m_mode;
    TransportOverride m_transportOverride;
    std::optional<std::int64_t> m_hostId;
    std::mutex m_agentsMutex;
    std::map<std::string, std::shared_ptr<AgentClient>> m_agents;
};

[[nodiscard]] std::string isoNow();
[[nodiscard]] std::int64_t unixMillis();

} // namespace pidvisor::manager
