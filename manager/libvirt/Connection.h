// Connection: one libvirt connection (local or remote URI) and the domain
// operations Pidvisor needs, each returning Result with libvirt's reason.
//
//   auto conn = Connection::open("qemu:///system");
//   PV_TRY(DomainPtr dom, (*conn)->lookup("demo"));
//
// Domain lifecycle events are delivered on libvirt's event thread to the
// subscribers; a keepalive detects a dead libvirtd.
#pragma once

#include "LibvirtHandles.h"

#include "core/States.h"

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pidvisor::manager {

inline constexpr const char* kMetadataUri = "https://pidvisor.dev/xmlns/vm/1";
inline constexpr const char* kMetadataPrefix = "pidvisor";

struct DomainInfo {
    std::string name;
    std::string uuid;
    VmState state = VmState::NoState;
    bool persistent = false;
    std::optional<std::string> metadata; // Pidvisor's <metadata> element, if any
};

struct LifecycleEvent {
    std::string domain;
    std::string event; // "started", "stopped", "defined", "undefined", ...
};

class Connection {
public:
    using LifecycleFn = std::function<void(const LifecycleEvent&)>;

    [[nodiscard]] static Result<std::unique_ptr<Connection>> open(const std::string& uri);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    [[nodiscard]] const std::string& uri() const { return m_uri; }
    // True for URIs without a host part: files and sockets are reachable here.
    [[nodiscard]] bool isLocal() const;
    [[nodiscard]] bool alive() const;
    [[nodiscard]] virConnectPtr raw() const { return m_conn.get(); }
    [[nodiscard]] std::string hostname() const;
    [[nodiscard]] std::string libvirtVersion() const;
    [[nodiscard]] std::string hypervisorVersion() const;

    [[nodiscard]] Result<std::vector<DomainInfo>> listDomains() const;
    [[nodiscard]] Result<DomainPtr> lookup(const std::string& name) const;
    [[nodiscard]] Result<DomainPtr> define(const std::string& xml) const;

    [[nodiscard]] Status start(virDomainPtr dom) const;
    [[nodiscard]] Status destroy(virDomainPtr dom) const;
    [[nodiscard]] Status shutdown(virDomainPtr dom) const;
    [[nodiscard]] Status undefine(virDomainPtr dom) const;
    [[nodiscard]] Result<VmState> state(virDomainPtr dom) const;
    [[nodiscard]] Result<std::string> xml(virDomainPtr dom, bool inactive = false) const;
    [[nodiscard]] Result<std::optional<std::string>> metadata(virDomainPtr dom) const;

    // Returns an id for unsubscribe().
    int subscribe(LifecycleFn fn);
    void unsubscribe(int id);

private:
    Connection(std::string uri, ConnectPtr conn);
    static int onLifecycle(virConnectPtr, virDomainPtr dom, int event, int detail, void* opaque);

    std::string m_uri;
    ConnectPtr m_conn;
    int m_callbackId = -1;
    mutable std::mutex m_mutex;
    std::map<int, LifecycleFn> m_subscribers;
    int m_nextSubscriber = 1;
};

[[nodiscard]] VmState domainState(int state);
[[nodiscard]] std::string versionString(unsigned long version);
// What to tell a user whom the system libvirt turned away (not root, a
// qemu:///system URI, a permission or authentication error): how to get
// in. Empty when the failure is something else.
[[nodiscard]] std::string openFailureHint(std::string_view uri, std::string_view libvirtMessage, bool root);

} // namespace pidvisor::manager
