// The whole flow through the window, against real libvirt and TCG VMs:
// a VM made through the New VM dialog (the DialogProvider seam), a second
// one, a container whose processes show virtual pid 1 next to a global pid
// that is not 1, a command run in it, a checkpoint, its restore into the
// second VM, the checkpoint in the history, and both VMs deleted. VMs are
// removed at the end even when a step failed. Skips visibly when not root,
// when libvirtd does not answer, and for the checkpoint steps when the
// checkpoint service is not built.
#include "GuiTestSupport.h"
#include "ScriptedDialogs.h"

#include "app/ScreenshotTaker.h"
#include "backend/BackendThread.h"
#include "backend/SnapshotQueries.h"
#include "models/CheckpointsModel.h"
#include "models/InventoryModel.h"
#include "models/ModelRoles.h"
#include "models/OperationsModel.h"
#include "views/ActionController.h"
#include "views/CheckpointDetailsPage.h"
#include "views/DetailsPane.h"
#include "views/MainWindow.h"

#include "libvirt/Connection.h"
#include "vm/VmService.h"

#include <QApplication>
#include <QProcess>
#include <QTableWidget>
#include <QTest>

#include <unistd.h>

namespace pidvisor::gui::test {

namespace {
const QString kUri = "qemu:///system";
using A = ActionController;
} // namespace

class GuiFlowTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root for qemu:///system");
        QProcess virsh;
        virsh.start("virsh", {"-c", kUri, "uri"});
        if (!virsh.waitForFinished(30000) || virsh.exitCode() != 0)
            QSKIP("libvirtd does not answer at qemu:///system (packaging/libvirt-services.sh start)");
        m_dir = scratchDir("flow-" + QString::number(::getpid()));
        m_db = m_dir + "/inventory.db";
        QString tag = QString::number(::getpid() % 100000);
        m_vmA = "pvg-a-" + tag;
        m_vmB = "pvg-b-" + tag;
        Backend::Options o;
        o.dbPath = m_db.toStdString();
        o.uris = {kUri.toStdString()};
        o.pollMs = 1500;
        m_backend = std::make_unique<BackendThread>(o);
        m_window = std::make_unique<MainWindow>(m_backend->backend(), &m_dialogs, MainWindow::Options{false});
        m_window->show();
        m_backend->start();
        QVERIFY2(waitFor([&] { return hostConnected(); }, 60000), "qemu:///system did not connect");
    }

    void createsVmsThroughTheDialog()
    {
        int a = newVm(m_vmA), b = newVm(m_vmB);
        QVERIFY(a > 0 && b > 0);
        QVERIFY2(waitOk(a, 600000), qPrintable(failure(a)));
        QVERIFY2(waitOk(b, 600000), qPrintable(failure(b)));
        QVERIFY(waitFor([&] { return row({m_vmA}).isValid() && row({m_vmB}).isValid(); }, 10000));
        QCOMPARE(row({m_vmA}).siblingAtColumn(InventoryColumn::State).data().toString(), QString("running"));
    }

    void createsAContainerAndSeesItsPids()
    {
        // Counters that retry interrupted sleeps: busybox sleep does not, and
        // a restored sleep sees EINTR (CRIU cannot restore a restart block).
        NewContainerRequest r{kUri, m_vmA, {}};
        r.spec.name = "web";
        r.spec.argv = {"/bin/sh", "-c", "pidvisor-testload counter /tmp/a & exec pidvisor-testload counter /tmp/b"};
        // Loopback only: the flow restores a copy while the original runs,
        // which an address of its own would forbid.
        r.network.none = true;
        m_dialogs.newContainers.push_back(r);
        int id = triggerWhenEnabled({kUri, m_vmA}, A::NewContainer);
        QVERIFY(id > 0);
        QVERIFY2(waitOk(id, 120000), qPrintable(failure(id)));
        // Processes arrive with the next poll of the agent.
        QVERIFY2(waitFor([&] { return row({m_vmA, "web", "2"}).isValid(); }, 30000), "no processes in the tree");
        QModelIndex init = row({m_vmA, "web", "1"});
        QCOMPARE(init.siblingAtColumn(InventoryColumn::Vpid).data().toString(), QString("1"));
        qlonglong global = init.data(GlobalPidRole).toLongLong();
        QVERIFY2(global > 1, qPrintable(QString("global pid %1").arg(global)));
        QCOMPARE(init.siblingAtColumn(InventoryColumn::Pid).data().toString(), QString::number(global));
        QCOMPARE(row({m_vmA, "web", "2"}).siblingAtColumn(InventoryColumn::Parent).data().toString(), QString("1"));
    }

    void runsACommandInTheContainer()
    {
        m_dialogs.execCommands.push_back({"/bin/sh", "-c", "echo pid $$ in $(hostname)"});
        triggerWhenEnabled({kUri, m_vmA, "web"}, A::Exec);
        QVERIFY(waitFor([&] { return !m_dialogs.execOutcomes.empty(); }, 60000));
        const ExecOutcome& o = m_dialogs.execOutcomes.front();
        QVERIFY2(o.ok, qPrintable(o.error));
        QString out = QString::fromStdString(o.result.value("stdout", "")).trimmed();
        QVERIFY2(out.startsWith("pid ") && out.endsWith(" in web"), qPrintable(out));
    }

    void checkpointsAndRestoresIntoTheSecondVm()
    {
        m_dialogs.checkpoints.push_back({true, "gui-flow"});
        int id = triggerWhenEnabled({kUri, m_vmA, "web"}, A::Checkpoint);
        QVERIFY(id > 0);
        QVERIFY2(waitOk(id, 300000), qPrintable(failure(id)));
        QVERIFY(waitFor([&] { return m_window->checkpointsModel()->rowCount() > 0; }, 10000));
        const auto* cp = m_window->checkpointsModel()->record(0);
        QCOMPARE(QString::fromStdString(cp->containerName), QString("web"));
        QCOMPARE(QString::fromStdString(cp->tag), QString("gui-flow"));
        QVERIFY(m_window->selectCheckpoint(QString::fromStdString(cp->id)));
        QVERIFY(m_window->details()->checkpointPage()->pidMap()->rowCount() >= 2);
        m_dialogs.restores.push_back({VmChoice{kUri, m_vmB}, {}});
        id = m_window->actions()->trigger(A::Restore);
        QVERIFY(id > 0);
        QVERIFY2(waitOk(id, 300000), qPrintable(failure(id)));
        QVERIFY2(waitFor([&] { return row({m_vmB, "web", "2"}).isValid(); }, 30000),
                 qPrintable("restored processes not seen; under " + m_vmB + ": " + childrenText({m_vmB})));
        QCOMPARE(row({m_vmB, "web", "1"}).siblingAtColumn(InventoryColumn::Vpid).data().toString(), QString("1"));
        ScreenshotTaker::stage(m_window.get());
        QVERIFY(m_window->selectPath({kUri, m_vmB, "web"}));
        QApplication::processEvents();
        m_window->grab().save(PIDVISOR_LIVE_SCREENSHOT);
        qInfo("live screenshot: %s", PIDVISOR_LIVE_SCREENSHOT);
    }

    void deletesBothVms()
    {
        m_dialogs.confirmAnswer = true;
        for (const QString& vm : {m_vmA, m_vmB}) {
            int id = triggerWhenEnabled({kUri, vm}, A::DeleteVm);
            QVERIFY(id > 0);
            QVERIFY2(waitOk(id, 120000), qPrintable(failure(id)));
        }
        QVERIFY(waitFor([&] { return !row({m_vmA}).isValid() && !row({m_vmB}).isValid(); }, 15000));
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_backend.reset();
        if (m_db.isEmpty())
            return;
        // Whatever a failed step left behind.
        auto inventory = manager::Inventory::open(m_db.toStdString());
        auto connection = manager::Connection::open(kUri.toStdString());
        if (inventory && connection) {
            manager::VmService vms(*inventory, **connection, manager::Paths::defaults(m_db.toStdString()));
            for (const QString& vm : {m_vmA, m_vmB})
                (void)vms.remove(vm.toStdString(), true);
        }
    }

private:
    template <class Fn>
    bool waitFor(Fn&& done, int timeoutMs)
    {
        return QTest::qWaitFor(std::forward<Fn>(done), timeoutMs);
    }

    bool hostConnected() const
    {
        const auto& s = m_window->snapshot();
        const HostInfo* h = s ? findHost(*s, kUri.toStdString()) : nullptr;
        return h && h->link == HostInfo::Link::Connected;
    }

    // The rows below `path`, for failure messages.
    QString childrenText(const QStringList& path) const
    {
        QModelIndex parent = row(path);
        const QAbstractItemModel* m = parent.model();
        if (!m)
            return "(no such row)";
        QStringList out;
        for (int r = 0; r < m->rowCount(parent); ++r) {
            QModelIndex c = m->index(r, 0, parent);
            out << c.data().toString() + " [" + c.siblingAtColumn(InventoryColumn::State).data().toString() + ", " +
                       QString::number(m->rowCount(c)) + " rows]";
        }
        return out.join("; ");
    }

    QModelIndex row(const QStringList& path) const
    {
        return m_window->inventoryModel()->indexForPath(QStringList{kUri} + path);
    }

    // Selects `path` and triggers `action` once the window enables it: the
    // snapshot that frees a VM from its last operation comes a poll later.
    int triggerWhenEnabled(const QStringList& path, A::Id action, int timeoutMs = 30000)
    {
        int id = 0;
        waitFor([&] {
            if (!m_window->selectPath(path) || !m_window->actions()->action(action)->isEnabled())
                return false;
            id = m_window->actions()->trigger(action);
            return true;
        }, timeoutMs);
        return id;
    }

    int newVm(const QString& name)
    {
        NewVmRequest r;
        r.uri = kUri;
        r.options.name = name.toStdString();
        r.options.memoryMiB = 512;
        r.options.kernel = "stock";
        r.options.accel = "auto";
        r.options.bootTimeout = std::chrono::seconds(500);
        m_dialogs.newVms.push_back(r);
        return m_window->actions()->trigger(A::NewVm);
    }

    bool waitOk(int id, int timeoutMs)
    {
        auto* ops = m_window->operationsModel();
        waitFor([&] { return ops->find(id)->state != OperationEntry::State::Running; }, timeoutMs);
        return ops->find(id)->state == OperationEntry::State::Ok;
    }

    QString failure(int id) const
    {
        const OperationEntry* e = m_window->operationsModel()->find(id);
        return e ? OperationsModel::describe(*e) : QString("no such operation");
    }

    QString m_dir, m_db, m_vmA, m_vmB;
    ScriptedDialogs m_dialogs;
    std::unique_ptr<BackendThread> m_backend;
    std::unique_ptr<MainWindow> m_window;
};

} // namespace pidvisor::gui::test

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    qputenv("QTEST_FUNCTION_TIMEOUT", "1200000");
    QApplication app(argc, argv);
    qRegisterMetaType<pidvisor::gui::SnapshotPtr>("pidvisor::gui::SnapshotPtr");
    pidvisor::gui::test::GuiFlowTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "GuiFlowTest.moc"
