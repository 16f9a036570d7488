// The window without a backend: actions follow the selection, a dialog
// answer becomes an operation (through the DialogProvider seam), details
// follow the selection, expanded rows survive a restart, charts and the
// status bar read the snapshot.
#include "GuiTests.h"
#include "GuiTestSupport.h"
#include "ScriptedDialogs.h"

#include "models/InventoryModel.h"
#include "models/OperationsModel.h"
#include "views/ActionController.h"
#include "views/ChartsView.h"
#include "views/CheckpointDetailsPage.h"
#include "views/ContainerDetailsPage.h"
#include "views/DetailsPane.h"
#include "views/FormPage.h"
#include "views/VmDetailsPage.h"
#include "views/InventoryTreeView.h"
#include "views/MainWindow.h"

#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

namespace pidvisor::gui::test {

namespace {
const QString kHost = "qemu+test://host0/system";
using A = ActionController;
} // namespace

class WindowTest : public QObject {
    Q_OBJECT
private slots:
    void init() { QSettings().clear(); }

    void actionsFollowTheSelection()
    {
        ScriptedDialogs dialogs;
        MainWindow w(nullptr, &dialogs, {false});
        SyntheticShape shape;
        shape.vms = 7;
        w.setSnapshot(makeSnapshot(shape));
        auto on = [&](A::Id id) { return w.actions()->action(id)->isEnabled(); };
        QVERIFY(on(A::NewVm));
        QVERIFY(w.selectPath({kHost, "vm0"}));
        QVERIFY(!on(A::StartVm));
        QVERIFY(on(A::StopVm) && on(A::NewContainer) && on(A::DeleteVm));
        QVERIFY(!on(A::Exec));
        QVERIFY(w.selectPath({kHost, "vm6"})); // shut off
        QVERIFY(on(A::StartVm) && !on(A::StopVm) && !on(A::NewContainer));
        QVERIFY(w.selectPath({kHost, "vm0", "ct0"}));
        QVERIFY(on(A::Exec) && on(A::StopContainer) && on(A::KillContainer));
        QVERIFY(on(A::Checkpoint) && on(A::Migrate));
        QMenu menu;
        w.actions()->fillContextMenu(&menu);
        QVERIFY(menu.actions().contains(w.actions()->action(A::Exec)));
        QVERIFY(!menu.actions().contains(w.actions()->action(A::StartVm)));
        QCOMPARE(w.actions()->action(A::Exec)->shortcut(), QKeySequence("Ctrl+E"));
    }

    void dialogAnswersBecomeOperations()
    {
        ScriptedDialogs dialogs;
        MainWindow w(nullptr, &dialogs, {false});
        w.setSnapshot(makeSnapshot({}));
        NewVmRequest request;
        request.uri = kHost;
        request.options.name = "fresh";
        dialogs.newVms.push_back(request);
        int id = w.actions()->trigger(A::NewVm);
        QVERIFY(id > 0);
        QCOMPARE(dialogs.asked, QStringList({"newVm"}));
        OperationsModel* ops = w.operationsModel();
        QTRY_COMPARE(ops->find(id)->state, OperationEntry::State::Failed);
        // No backend here: the error says so, whole.
        QCOMPARE(ops->find(id)->errorMessage, "not connected to " + kHost);
        QCOMPARE(ops->find(id)->target, QString("fresh"));
        // A cancelled dialog starts nothing.
        QCOMPARE(w.actions()->trigger(A::NewVm), 0);
        QVERIFY(w.selectPath({kHost, "vm1"}));
        dialogs.confirmAnswer = false;
        QCOMPARE(w.actions()->trigger(A::DeleteVm), 0);
        QVERIFY(dialogs.asked.contains("confirm: Delete VM"));
    }

    void detailsFollowTheSelection()
    {
        ScriptedDialogs dialogs;
        MainWindow w(nullptr, &dialogs, {false});
        w.setSnapshot(makeSnapshot({}));
        QVERIFY(w.selectPath({kHost, "vm1", "ct0", "2"}));
        QCOMPARE(w.details()->currentWidget(), static_cast<QWidget*>(w.details()->summaryPage()));
        QCOMPARE(w.details()->summaryPage()->value("Virtual pid"), QString("2"));
        QCOMPARE(w.details()->summaryPage()->value("Pid in the VM"), QString("2002"));
        QVERIFY(w.selectCheckpoint("cp1002-0000-4000-8000-000000000000"));
        QCOMPARE(w.selection().kind, Selection::Kind::Checkpoint);
        QCOMPARE(w.details()->currentWidget(), static_cast<QWidget*>(w.details()->checkpointPage()));
        QCOMPARE(w.details()->checkpointPage()->pidMap()->rowCount(), 2);
        QCOMPARE(w.details()->checkpointPage()->pidMap()->item(1, 1)->text(), QString("1002"));
        QVERIFY(w.actions()->action(A::Restore)->isEnabled());

        // A VM's NIC as the poller read it from libvirt.
        auto withNic = std::make_shared<InventorySnapshot>(*makeSnapshot({}));
        auto& vm = withNic->hosts[0].vms[0];
        vm.network = manager::VmNetworkView{"pidvisor", "52:54:00:12:34:56", {"10.83.0.57/24"}};
        w.setSnapshot(withNic);
        QVERIFY(w.selectPath({kHost, QString::fromStdString(vm.record.name)}));
        QCOMPARE(w.details()->vmPage()->settings()->value("Network"),
                 QString("pidvisor (52:54:00:12:34:56) 10.83.0.57/24"));
        auto none = std::make_shared<InventorySnapshot>(*withNic);
        none->hosts[0].vms[0].network = manager::VmNetworkView{};
        w.setSnapshot(none);
        QCOMPARE(w.details()->vmPage()->settings()->value("Network"), QString("none"));

        // A container says whether it is confined, from its spec.
        auto privileged = std::make_shared<InventorySnapshot>(*makeSnapshot({}));
        privileged->hosts[0].vms[1].containers[1].privileged = true;
        privileged->hosts[0].vms[1].containers[1].usernsBase = 165536;
        w.setSnapshot(privileged);
        QVERIFY(w.selectPath({kHost, "vm1", "ct0"}));
        QVERIFY(w.details()->containerPage()->specPage()->value("Confinement").startsWith("confined: "));
        QVERIFY(w.details()->containerPage()->specPage()->value("User namespace").startsWith("none: "));
        QVERIFY(w.selectPath({kHost, "vm1", "ct1"}));
        QVERIFY(w.details()->containerPage()->specPage()->value("Confinement").startsWith("privileged: "));
        QCOMPARE(w.details()->containerPage()->specPage()->value("User namespace"),
                 QString("its root is the VM's uid 165536 (65536 ids): unprivileged in the VM"));
    }

    void expandedRowsSurviveARestart()
    {
        ScriptedDialogs dialogs;
        auto proxyIndex = [](MainWindow& w, const QStringList& path) {
            return static_cast<QSortFilterProxyModel*>(w.tree()->model())
                ->mapFromSource(w.inventoryModel()->indexForPath(path));
        };
        {
            MainWindow w(nullptr, &dialogs, {true});
            w.setSnapshot(makeSnapshot({}));
            // By default hosts and VMs are open, containers closed.
            QVERIFY(w.tree()->isExpanded(proxyIndex(w, {kHost, "vm1"})));
            QVERIFY(!w.tree()->isExpanded(proxyIndex(w, {kHost, "vm2", "ct1"})));
            w.tree()->collapse(proxyIndex(w, {kHost, "vm1"}));
            w.tree()->expand(proxyIndex(w, {kHost, "vm2", "ct1"}));
            w.tree()->setColumnWidth(0, 333);
            w.close();
        }
        MainWindow again(nullptr, &dialogs, {true});
        again.setSnapshot(makeSnapshot({}));
        QCOMPARE(again.tree()->columnWidth(0), 333);
        QVERIFY(again.tree()->isExpanded(proxyIndex(again, {kHost})));
        QVERIFY(again.tree()->isExpanded(proxyIndex(again, {kHost, "vm0"})));
        QVERIFY(!again.tree()->isExpanded(proxyIndex(again, {kHost, "vm1"})));
        QVERIFY(again.tree()->isExpanded(proxyIndex(again, {kHost, "vm2", "ct1"})));
        QVERIFY(!again.tree()->isExpanded(proxyIndex(again, {kHost, "vm2", "ct0"})));
    }

    void chartsAndStatusReadTheSnapshot()
    {
        ScriptedDialogs dialogs;
        MainWindow w(nullptr, &dialogs, {false});
        SyntheticShape shape;
        shape.vms = 20;
        w.setSnapshot(makeSnapshot(shape));
        QCOMPARE(w.charts()->checkpointPoints(), 4);
        QCOMPARE(w.charts()->vmBars(), ChartsView::kMaxVms);
        QVERIFY(w.countsLabel()->text().contains("20 VM(s)"));
        QVERIFY(w.countsLabel()->text().contains("4 checkpoint(s)"));
    }
};

PIDVISOR_GUI_TEST(WindowTest)

} // namespace pidvisor::gui::test

#include "WindowTest.moc"
