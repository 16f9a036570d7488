#include "Connection.h"

#include "EventLoop.h"

#include <array>

#include <unistd.h>

namespace pidvisor::manager {

VmState domainState(int state)
{
    switch (state) {
    case VIR_DOMAIN_RUNNING: return VmState::Running;
    case VIR_DOMAIN_BLOCKED: return VmState::Idle;
    case VIR_DOMAIN_PAUSED: return VmState::Paused;
    case VIR_DOMAIN_SHUTDOWN: return VmState::InShutdown;
    case VIR_DOMAIN_SHUTOFF: return VmState::ShutOff;
    case VIR_DOMAIN_CRASHED: return VmState::Crashed;
    case VIR_DOMAIN_PMSUSPENDED: return VmState::Suspended;
    default: return VmState::NoState;
    }
}

std::string versionString(unsigned long v)
{
    return std::to_string(v / 1000000) + "." + std::to_string(v / 1000 % 1000) + "." + std::to_string(v % 1000);
}

std::string openFailureHint(std::string_view uri, std::string_view libvirtMessage, bool root)
{
    bool systemUri = uri.rfind("qemu:///system", 0) == 0 || uri.rfind("qemu+unix:///system", 0) == 0;
    bool denied = libvirtMessage.find("Permission denied") != std::string_view::npos ||
                  libvirtMessage.find("authentication") != std::string_view::npos ||
                  libvirtMessage.find("not authorized") != std::string_view::npos;
    // libvirtd asks polkit about a non-root client; without a system bus
    // (no dbus running) it cannot ask and turns everyone but root away.
    bool noBus = libvirtMessage.find("system bus") != std::string_view::npos;
    if (root || !systemUri || !(denied || noBus))
        return {};
    if (noBus)
        return "the system libvirt asks polkit whether to let you in, and polkit needs the D-Bus system bus, "
               "which is not running; with dbus running, members of the 'libvirt' group are let in";
    return "the system libvirt lets in root and members of the 'libvirt' group: "
           "add yourself (sudo adduser $USER libvirt) and log in again";
}

namespace {
std::string eventName(int event)
{
    static const std::array<const char*, 9> names{"defined", "undefined", "started",  "suspended", "resumed",
                                                  "stopped", "shutdown",  "pmsuspended", "crashed"};
    return event >= 0 && static_cast<std::size_t>(event) < names.size() ? names[static_cast<std::size_t>(event)]
                                                                         : "unknown";
}
} // namespace

Result<std::unique_ptr<Connection>> Connection::open(const std::string& uri)
{
    ensureLibvirtEventLoop();
    ConnectPtr conn(virConnectOpen(uri.c_str()));
    if (!conn) {
        Error e = libvirtError("libvirt at " + uri + " is unreachable");
        e.code = ErrorCode::Unavailable;
        if (auto hint = openFailureHint(uri, e.message, ::geteuid() == 0); !hint.empty()) {
            e.code = ErrorCode::PermissionDenied;
            e.message += " (" + hint + ")";
        }
        return fail(e);
    }
    // Notices a libvirtd that went away within about 15 s.
    (void)virConnectSetKeepAlive(conn.get(), 5, 3);
    virResetLastError();
    std::unique_ptr<Connection> c(new Connection(uri, std::move(conn)));
    c->m_callbackId = virConnectDomainEventRegisterAny(c->m_conn.get(), nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                       VIR_DOMAIN_EVENT_CALLBACK(onLifecycle), c.get(), nullptr);
    virResetLastError();
    return c;
}

Connection::Connection(std::string uri, ConnectPtr conn) : m_uri(std::move(uri)), m_conn(std::move(conn)) {}

Connection::~Connection()
{
    if (m_callbackId >= 0)
        virConnectDomainEventDeregisterAny(m_conn.get(), m_callbackId);
}

bool Connection::isLocal() const
{
    // scheme:///path has an empty authority; scheme+transport://host/... does not.
    auto pos = m_uri.find("://");
    return pos != std::string::npos && m_uri.compare(pos, 4, ":///") == 0;
}

bool Connection::alive() const
{
    return virConnectIsAlive(m_conn.get()) == 1;
}

std::string Connection::hostname() const
{
    LibvirtString name(virConnectGetHostname(m_conn.get()));
    virResetLastError();
    return name ? name.get() : "";
}

std::string Connection::libvirtVersion() const
{
    unsigned long v = 0;
    return virConnectGetLibVersion(m_conn.get(), &v) == 0 ? versionString(v) : "";
}

std::string Connection::hypervisorVersion() const
{
    unsigned long v = 0;
    return virConnectGetVersion(m_conn.get(), &v) == 0 ? versionString(v) : "";
}

Result<std::vector<DomainInfo>> Connection::listDomains() const
{
    virDomainPtr* raw = nullptr;
    int n = virConnectListAllDomains(m_conn.get(), &raw, 0);
    if (n < 0)
        return fail(libvirtError("listing domains on " + m_uri));
    std::vector<DomainPtr> domains;
    for (int i = 0; i < n; ++i)
        domains.emplace_back(raw[i]);
    std::free(raw);
    std::vector<DomainInfo> out;
    for (const auto& d : domains) {
        DomainInfo info;
        info.name = virDomainGetName(d.get());
        char uuid[VIR_UUID_STRING_BUFLEN] = {};
        virDomainGetUUIDString(d.get(), uuid);
        info.uuid = uuid;
        info.persistent = virDomainIsPersistent(d.get()) == 1;
        info.state = state(d.get()).value_or(VmState::NoState);
        info.metadata = metadata(d.get()).value_or(std::nullopt);
        out.push_back(std::move(info));
    }
    return out;
}

Result<DomainPtr> Connection::lookup(const std::string& name) const
{
    DomainPtr d(virDomainLookupByName(m_conn.get(), name.c_str()));
    if (!d) {
        Error e = libvirtError("looking up VM '" + name + "'");
        if (e.code == ErrorCode::NotFound)
            e.message = "no VM named '" + name + "' on " + m_uri;
        return fail(e);
    }
    return d;
}

Result<DomainPtr> Connection::define(const std::string& xml) const
{
    DomainPtr d(virDomainDefineXMLFlags(m_conn.get(), xml.c_str(), VIR_DOMAIN_DEFINE_VALIDATE));
    if (!d)
        return fail(libvirtError("defining the VM"));
    return d;
}

Status Connection::start(virDomainPtr dom) const
{
    if (virDomainCreate(dom) < 0)
        return fail(libvirtError(std::string("starting VM '") + virDomainGetName(dom) + "'"));
    return {};
}

Status Connection::destroy(virDomainPtr dom) const
{
    if (virDomainDestroy(dom) < 0)
        return fail(libvirtError(std::string("destroying VM '") + virDomainGetName(dom) + "'"));
    return {};
}

Status Connection::shutdown(virDomainPtr dom) const
{
    if (virDomainShutdownFlags(dom, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN) < 0)
        return fail(libvirtError(std::string("shutting down VM '") + virDomainGetName(dom) + "'"));
    return {};
}

Status Connection::undefine(virDomainPtr dom) const
{
    // Everything libvirt keeps for the domain goes with it; drivers that do
    // not know a flag (the test driver) get the plain call.
    unsigned flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                     VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA | VIR_DOMAIN_UNDEFINE_NVRAM;
    if (virDomainUndefineFlags(dom, flags) == 0)
        return {};
    virResetLastError();
    if (virDomainUndefine(dom) < 0)
        return fail(libvirtError(std::string("undefining VM '") + virDomainGetName(dom) + "'"));
    return {};
}

Result<VmState> Connection::state(virDomainPtr dom) const
{
    int st = 0, reason = 0;
    if (virDomainGetState(dom, &st, &reason, 0) < 0)
        return fail(libvirtError("reading the state of a VM"));
    return domainState(st);
}

Result<std::string> Connection::xml(virDomainPtr dom, bool inactive) const
{
    LibvirtString text(virDomainGetXMLDesc(dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0));
    if (!text)
        return fail(libvirtError(std::string("reading the XML of VM '") + virDomainGetName(dom) + "'"));
    return std::string(text.get());
}

Result<std::optional<std::string>> Connection::metadata(virDomainPtr dom) const
{
    LibvirtString text(virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, kMetadataUri, VIR_DOMAIN_AFFECT_CURRENT));
    if (!text) {
        Error e = libvirtError("reading metadata");
        if (e.code == ErrorCode::NotFound)
            return std::optional<std::string>{};
        return fail(e);
    }
    return std::optional<std::string>{text.get()};
}

int Connection::subscribe(LifecycleFn fn)
{
    std::lock_guard lock(m_mutex);
    int id = m_nextSubscriber++;
    m_subscribers[id] = std::move(fn);
    return id;
}

void Connection::unsubscribe(int id)
{
    std::lock_guard lock(m_mutex);
    m_subscribers.erase(id);
}

int Connection::onLifecycle(virConnectPtr, virDomainPtr dom, int event, int, void* opaque)
{
    auto* self = static_cast<Connection*>(opaque);
    LifecycleEvent ev{virDomainGetName(dom), eventName(event)};
    std::lock_guard lock(self->m_mutex);
    for (const auto& [id, fn] : self->m_subscribers)
        fn(ev);
    return 0;
}

} // namespace pidvisor::manager
