// Backend: the GUI's only door to the inventory, libvirt and the agents.
// It lives on its own thread (BackendThread): it opens the inventory, keeps
// one manager::Host per libvirt connection (connecting on a helper pool so a
// slow host never stalls the others), and publishes InventorySnapshots:
// on start, every few seconds (polling, the fallback), soon after a libvirt
// lifecycle event (which arrives on libvirt's event thread and is queued
// here), and when the UI asks after an operation. Details that are too
// large for every snapshot (console logs, container logs) are fetched on
// request. All its slots are meant to be invoked through queued calls;
// session() is thread-safe for the operations' worker threads.
#pragma once

#include "AgentPoller.h"
#include "FirstRunOperations.h"
#include "SnapshotBuilder.h"

#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <mutex>

namespace pidvisor::gui {

class Backend : public QObject {
    Q_OBJECT
public:
    struct Options {
        std::string dbPath;
        std::vector<std::string> uris; // connect to these
        bool offline = false;          // show the inventory only, connect to nothing
        int pollMs = 3000;
        std::size_t agentBudget = 16; // agents asked per refresh and host
    };

    explicit Backend(Options options, QObject* parent = nullptr);
    ~Backend() override;

    [[nodiscard]] std::shared_ptr<manager::Host> session(const std::string& uri) const;
    [[nodiscard]] const Options& options() const { return m_options; }

public slots:
    void start();
    void addConnection(const QString& uri);
    void refresh();
    void refreshSoon();
    void fetchVmDetails(quint64 requestId, const QString& uri, const QString& vm);
    void fetchContainerLogs(quint64 requestId, const QString& uri, const QString& vm, const QString& container);
    // The first-run page's checks: files and /proc only, never libvirt.
    void checkSystem();
    void shutdown();

signals:
    void ready(const QString& inventoryPath);
    void failed(const QString& message);
    void snapshotReady(pidvisor::gui::SnapshotPtr snapshot);
    void connectionFailed(const QString& uri, const QString& message);
    void vmDetailsReady(quint64 requestId, const QString& consoleLog, const QString& error);
    void containerLogsReady(quint64 requestId, const QString& logs, const QString& error);
    void systemChecked(const pidvisor::gui::FirstRunReport& report);

private:
    struct HostLink {
        std::shared_ptr<manager::Host> session;
        AgentPoller poller;
        int subscription = -1;
        bool connecting = false;
        qint64 nextAttempt = 0;
    };

    void connectHost(const std::string& uri);
    void onConnected(const std::string& uri, Result<std::shared_ptr<manager::Host>> session);
    void refreshHost(const std::string& uri, HostLink& host);
    void dropSession(const std::string& uri, HostLink& host, const std::string& why);
    void publish();

    Options m_options;
    manager::Paths m_paths;
    std::unique_ptr<manager::Inventory> m_inventory;
    std::map<std::string, HostLink> m_hosts;
    std::map<std::string, LiveHost> m_live;
    mutable std::mutex m_sessionsMutex;
    std::map<std::string, std::shared_ptr<manager::Host>> m_sessions; // for other threads
    SnapshotBuilder m_builder;
    QTimer* m_pollTimer = nullptr;
    QTimer* m_soonTimer = nullptr;
    QThreadPool m_connector;
    bool m_stopping = false;
};

} // namespace pidvisor::gui
