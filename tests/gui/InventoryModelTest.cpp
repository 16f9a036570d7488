// The inventory tree model and its proxy: structure under
// QAbstractItemModelTester, in-place updates from snapshots, sorting,
// filtering, and dragging a container onto a VM.
#include "GuiTests.h"
#include "GuiTestSupport.h"

#include "models/InventoryModel.h"
#include "models/InventoryProxyModel.h"
#include "models/ModelRoles.h"

#include <QAbstractItemModelTester>
#include <QMimeData>
#include <QSignalSpy>
#include <QTest>

namespace pidvisor::gui::test {

namespace Col = InventoryColumn;

class InventoryModelTest : public QObject {
    Q_OBJECT
private slots:
    void buildsTheTreeWithVirtualAndGlobalPids()
    {
        InventoryModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setSnapshot(makeSnapshot({}));
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 1);
        QModelIndex host = model.index(0, 0);
        QCOMPARE(model.rowCount(host), 3);
        QModelIndex pid1 = model.indexForPath({"qemu+test://host0/system", "vm0", "ct0", "1"});
        QVERIFY(pid1.isValid());
        QCOMPARE(pid1.siblingAtColumn(Col::Vpid).data().toString(), QString("1"));
        QCOMPARE(pid1.siblingAtColumn(Col::Pid).data().toString(), QString("1001"));
        QCOMPARE(pid1.data(KindRole).toInt(), static_cast<int>(NodeKind::Process));
        QCOMPARE(pid1.data(PathRole).toStringList().size(), 4);
        QCOMPARE(model.indexForPath({"qemu+test://host0/system", "vm0", "ct0", "2"}).siblingAtColumn(Col::Parent).data(),
                 QVariant(QString("1")));
    }

    void updatesRowsInPlace()
    {
        InventoryModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        auto first = makeSnapshot({});
        model.setSnapshot(first);
        QPersistentModelIndex vm1 = model.indexForPath({"qemu+test://host0/system", "vm1"});
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

        model.setSnapshot(withVmState(*first, 0, 1, manager::VmState::Paused));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex(), QModelIndex(vm1));
        QCOMPARE(QModelIndex(vm1).siblingAtColumn(Col::State).data().toString(), QString("paused"));
        QCOMPARE(inserted.count() + removed.count() + reset.count(), 0);

        // The same content again: nothing at all.
        changed.clear();
        model.setSnapshot(withVmState(*first, 0, 1, manager::VmState::Paused));
        QCOMPARE(changed.count(), 0);

        // A VM goes, a container and a process come.
        auto next = std::make_shared<InventorySnapshot>(*first);
        auto& vms = next->hosts[0].vms;
        vms.erase(vms.begin());
        vms[0].containers.push_back(vms[0].containers.front());
        vms[0].containers.back().record.name = "ct9";
        vms[1].containers[0].processes.push_back({9, 4242, 1, "top", "R", "top"});
        model.setSnapshot(next);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(reset.count(), 0);
        QVERIFY(vm1.isValid());
        QCOMPARE(vm1.row(), 0);
        QVERIFY(model.indexForPath({"qemu+test://host0/system", "vm1", "ct9"}).isValid());
        QCOMPARE(model.indexForPath({"qemu+test://host0/system", "vm2", "ct0", "9"}).siblingAtColumn(Col::Pid).data(),
                 QVariant(QString("4242")));
    }

    void sortsAndFiltersThroughTheProxy()
    {
        InventoryModel model;
        InventoryProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
        SyntheticShape shape;
        shape.vms = 12;
        model.setSnapshot(makeSnapshot(shape));
        QModelIndex host = proxy.index(0, 0);
        proxy.sort(Col::Name, Qt::AscendingOrder);
        QCOMPARE(proxy.index(2, 0, host).data().toString(), QString("vm2")); // natural: vm2 before vm10
        QCOMPARE(proxy.index(11, 0, host).data().toString(), QString("vm11"));
        proxy.sort(Col::Memory, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, Col::Memory, host).data(SortRole).toLongLong(), 896);

        proxy.setFilterText("1002"); // a global pid
        host = proxy.index(0, 0);
        QCOMPARE(proxy.rowCount(host), 1);
        QModelIndex vm = proxy.index(0, 0, host);
        QCOMPARE(vm.data().toString(), QString("vm0"));
        QCOMPARE(proxy.rowCount(vm), 2); // both containers have a process with pid 1002
        proxy.setFilterText("VM11"); // case-insensitive; the match keeps its children
        host = proxy.index(0, 0);
        QCOMPARE(proxy.rowCount(host), 1);
        QCOMPARE(proxy.rowCount(proxy.index(0, 0, host)), 2);
        proxy.setFilterText("");
        QCOMPARE(proxy.rowCount(proxy.index(0, 0)), 12);
    }

    void reportsAContainerDroppedOnAnotherVm()
    {
        InventoryModel model;
        model.setSnapshot(makeSnapshot({}));
        QModelIndex ct = model.indexForPath({"qemu+test://host0/system", "vm0", "ct1"});
        QModelIndex target = model.indexForPath({"qemu+test://host0/system", "vm2"});
        QModelIndex sameVm = model.indexForPath({"qemu+test://host0/system", "vm0"});
        QVERIFY(model.flags(ct) & Qt::ItemIsDragEnabled);
        QVERIFY(model.flags(target) & Qt::ItemIsDropEnabled);
        std::unique_ptr<QMimeData> mime(model.mimeData({ct}));
        QVERIFY(mime);
        QVERIFY(!model.canDropMimeData(mime.get(), Qt::CopyAction, -1, -1, sameVm));
        QVERIFY(model.canDropMimeData(mime.get(), Qt::CopyAction, -1, -1, target));
        QSignalSpy dropped(&model, &InventoryModel::containerDropped);
        QVERIFY(model.dropMimeData(mime.get(), Qt::CopyAction, -1, -1, target));
        QCOMPARE(dropped.count(), 1);
        QCOMPARE(dropped.first().at(2).toString(), QString("ct1"));
        QCOMPARE(dropped.first().at(3).toString(), QString("vm2"));
        QVERIFY(model.indexForPath({"qemu+test://host0/system", "vm0", "ct1"}).isValid()); // nothing moved
    }
};

PIDVISOR_GUI_TEST(InventoryModelTest)

} // namespace pidvisor::gui::test

#include "InventoryModelTest.moc"
