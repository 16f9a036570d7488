#include "Backend.h"

#include "images/GuestImage.h"

#include <QDateTime>

namespace pidvisor::gui {

using namespace pidvisor::manager;

namespace {
constexpr qint64 kRetryMs = 10000;
} // namespace

Backend::Backend(Options options, QObject* parent) : QObject(parent), m_options(std::move(options))
{
    m_connector.setMaxThreadCount(4);
}

Backend::~Backend()
{
    shutdown();
}

void Backend::shutdown()
{
    m_stopping = true;
    m_connector.waitForDone();
    for (auto& [uri, host] : m_hosts)
        if (host.session && host.subscription >= 0)
            host.session->unsubscribe(host.subscription);
    std::lock_guard lock(m_sessionsMutex);
    m_sessions.clear();
    m_hosts.clear();
}

std::shared_ptr<Host> Backend::session(const std::string& uri) const
{
    std::lock_guard lock(m_sessionsMutex);
    auto it = m_sessions.find(uri);
    return it == m_sessions.end() ? nullptr : it->second;
}

void Backend::start()
{
    m_paths = Paths::defaults(m_options.dbPath);
    auto inventory = Inventory::open(m_options.dbPath);
    if (!inventory) {
        emit failed(QString::fromStdString("opening the inventory " + m_options.dbPath + ": " +
                                           inventory.error().message));
        return;
    }
    m_inventory = std::make_unique<Inventory>(std::move(*inventory));
    (void)m_inventory->markInterrupted();
    m_pollTimer = new QTimer(this);
    m_pollTimer->setInterval(m_options.pollMs);
    connect(m_pollTimer, &QTimer::timeout, this, &Backend::refresh);
    m_soonTimer = new QTimer(this);
    m_soonTimer->setSingleShot(true);
    m_soonTimer->setInterval(150);
    connect(m_soonTimer, &QTimer::timeout, this, &Backend::refresh);
    emit ready(QString::fromStdString(m_inventory->path()));
    if (!m_options.offline)
        for (const auto& uri : m_options.uris)
            addConnection(QString::fromStdString(uri));
    publish();
    m_pollTimer->start();
}

void Backend::addConnection(const QString& uriText)
{
    std::string uri = uriText.trimmed().toStdString();
    if (uri.empty() || !m_inventory || m_options.offline || m_hosts.count(uri))
        return;
    m_hosts.emplace(uri, HostLink{nullptr, AgentPoller(m_options.agentBudget)});
    m_live[uri].link = HostInfo::Link::Connecting;
    connectHost(uri);
    publish();
}

void Backend::connectHost(const std::string& uri)
{
    HostLink& host = m_hosts.at(uri);
    host.connecting = true;
    m_live[uri].link = HostInfo::Link::Connecting;
    Inventory* inventory = m_inventory.get();
    Paths paths = m_paths;
    m_connector.start([this, uri, inventory, paths] {
        Result<std::shared_ptr<Host>> session = Host::open(*inventory, uri, paths);
        QMetaObject::invokeMethod(
            this, [this, uri, session]() mutable { onConnected(uri, std::move(session)); }, Qt::QueuedConnection);
    });
}

void Backend::onConnected(const std::string& uri, Result<std::shared_ptr<Host>> session)
{
    auto it = m_hosts.find(uri);
    if (m_stopping || it == m_hosts.end())
        return;
    HostLink& host = it->second;
    host.connecting = false;
    LiveHost& live = m_live[uri];
    if (!session) {
        live.link = HostInfo::Link::Unreachable;
        live.error = session.error().message;
        host.nextAttempt = QDateTime::currentMSecsSinceEpoch() + kRetryMs;
        emit connectionFailed(QString::fromStdString(uri), QString::fromStdString(session.error().message));
        publish();
        return;
    }
    host.session = *session;
    live.link = HostInfo::Link::Connected;
    live.error.clear();
    live.libvirtVersion = host.session->libvirtVersion();
    live.hypervisorVersion = host.session->hypervisorVersion();
    live.hostname = host.session->hostname();
    // libvirt's thread -> this thread, coalesced.
    host.subscription = host.session->subscribe([this](const LifecycleEvent&) {
        QMetaObject::invokeMethod(this, &Backend::refreshSoon, Qt::QueuedConnection);
    });
    {
        std::lock_guard lock(m_sessionsMutex);
        m_sessions[uri] = host.session;
    }
    publish(); // connected, before the agents are asked (that may take a while)
    refresh();
}

void Backend::dropSession(const std::string& uri, HostLink& host, const std::string& why)
{
    if (host.subscription >= 0)
        host.session->unsubscribe(host.subscription);
    host.subscription = -1;
    host.session.reset();
    host.nextAttempt = QDateTime::currentMSecsSinceEpoch() + kRetryMs;
    {
        std::lock_guard lock(m_sessionsMutex);
        m_sessions.erase(uri);
    }
    LiveHost& live = m_live[uri];
    live = LiveHost{};
    live.link = HostInfo::Link::Unreachable;
    live.error = why;
}

void Backend::refreshHost(const std::string& uri, HostLink& host)
{
    if (!host.session) {
        if (!host.connecting && QDateTime::currentMSecsSinceEpoch() >= host.nextAttempt)
            connectHost(uri);
        return;
    }
    auto listed = host.session->vms().list();
    if (!listed) {
        if (!host.session->connection().alive())
            dropSession(uri, host, "libvirt connection lost: " + listed.error().message);
        else
            m_live[uri].error = listed.error().message;
        return;
    }
    std::vector<VmRecord> records;
    records.reserve(listed->size());
    for (auto& v : *listed)
        records.push_back(std::move(v.record));
    host.poller.poll(*host.session, records, m_live[uri]);
}

void Backend::refresh()
{
    if (!m_inventory || m_stopping)
        return;
    for (auto& [uri, host] : m_hosts)
        refreshHost(uri, host);
    publish();
}

void Backend::refreshSoon()
{
    if (m_soonTimer && !m_soonTimer->isActive())
        m_soonTimer->start();
}

void Backend::publish()
{
    if (!m_inventory)
        return;
    for (auto& [uri, host] : m_hosts)
        if (host.session)
            m_live[uri].busyVms = host.session->leases().busy();
    auto snapshot = m_builder.build(*m_inventory, m_live);
    if (!snapshot) {
        emit failed(QString::fromStdString("reading the inventory: " + snapshot.error().message));
        return;
    }
    emit snapshotReady(*snapshot);
}

void Backend::fetchVmDetails(quint64 requestId, const QString& uri, const QString& vm)
{
    auto s = session(uri.toStdString());
    if (!s) {
        emit vmDetailsReady(requestId, {}, "not connected to " + uri);
        return;
    }
    auto log = s->vms().consoleLog(vm.toStdString(), 256 * 1024);
    if (!log)
        emit vmDetailsReady(requestId, {}, QString::fromStdString(log.error().message));
    else
        emit vmDetailsReady(requestId, QString::fromUtf8(log->data(), static_cast<qsizetype>(log->size())), {});
}

void Backend::fetchContainerLogs(quint64 requestId, const QString& uri, const QString& vm, const QString& container)
{
    auto s = session(uri.toStdString());
    if (!s) {
        emit containerLogsReady(requestId, {}, "not connected to " + uri);
        return;
    }
    auto logs = s->containerLogs(vm.toStdString(), container.toStdString(), 64 * 1024, std::chrono::seconds(3));
    if (!logs)
        emit containerLogsReady(requestId, {}, QString::fromStdString(logs.error().message));
    else
        emit containerLogsReady(requestId, QString::fromUtf8(logs->data(), static_cast<qsizetype>(logs->size())), {});
}

void Backend::checkSystem()
{
    if (!m_inventory)
        return; // not started: the paths are not known yet
    FirstRunReport report;
    report.system = manager::checkSystem(m_paths);
    if (m_inventory)
        if (auto images = m_inventory->images())
            for (const auto& image : *images) // newest first
                if (image.kernelKind == "container" && GuestImage::load(image.path)) {
                    report.image = image;
                    break;
                }
    emit systemChecked(report);
}

} // namespace pidvisor::gui
