// The checkpoint history and the operations panel's model, and the runner
// that feeds it from worker threads: progress, success, failure with the
// whole error, and cancellation only where it is allowed.
#include "GuiTests.h"
#include "GuiTestSupport.h"

#include "backend/OperationRunner.h"
#include "models/CheckpointsModel.h"
#include "models/ModelRoles.h"
#include "models/OperationsModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>
#include <QThread>

namespace pidvisor::gui::test {

class TableModelsTest : public QObject {
    Q_OBJECT
private slots:
    void checkpointsUpdateInPlaceAndSort()
    {
        CheckpointsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        auto s = makeSnapshot({});
        model.setSnapshot(s);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.index(0, CheckpointColumn::Size).data().toString(), QString("3.0 MiB"));
        QCOMPARE(model.index(0, CheckpointColumn::Duration).data().toString(), QString("400 ms"));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        auto next = std::make_shared<InventorySnapshot>(*s);
        next->checkpoints[2].status = "corrupt";
        model.setSnapshot(next);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.index(2, CheckpointColumn::Status).data().toString(), QString("corrupt"));
        next = std::make_shared<InventorySnapshot>(*next);
        next->checkpoints.pop_back();
        model.setSnapshot(next);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 3);
        QSortFilterProxyModel sorted;
        sorted.setSourceModel(&model);
        sorted.setSortRole(SortRole);
        sorted.sort(CheckpointColumn::Size, Qt::DescendingOrder);
        QCOMPARE(sorted.index(0, CheckpointColumn::Size).data().toString(), QString("9.0 MiB"));
    }

    void runsOperationsOffTheUiThread()
    {
        OperationsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        OperationRunner runner(&model, {});
        QSignalSpy finished(&runner, &OperationRunner::finished);
        QThread* ui = QThread::currentThread();
        std::atomic<bool> offUi{false};
        OperationSpec ok;
        ok.kind = "vm.create";
        ok.target = "demo";
        ok.body = [&](OperationContext& ctx) -> Result<OperationResult> {
            offUi = QThread::currentThread() != ui;
            manager::report(ctx.progress, "booting", 40, "tcg");
            return OperationResult{"ready in 1.0 s", {}};
        };
        int okId = runner.submit(ok);
        OperationSpec bad;
        bad.kind = "vm.start";
        bad.target = "demo";
        bad.logPath = "/var/lib/pidvisor/pool/demo-console.log";
        bad.body = [](OperationContext&) -> Result<OperationResult> {
            return fail(ErrorCode::Timeout, "agent in VM 'demo' not answering after 180 s");
        };
        int badId = runner.submit(bad);
        QTRY_COMPARE(finished.count(), 2);
        QVERIFY(offUi);
        const OperationEntry* e = model.find(okId);
        QCOMPARE(e->state, OperationEntry::State::Ok);
        QVERIFY(e->stages.contains("booting"));
        QCOMPARE(model.index(model.rowOf(okId), OperationColumn::Result).data().toString(), QString("ready in 1.0 s"));
        e = model.find(badId);
        QCOMPARE(e->state, OperationEntry::State::Failed);
        QCOMPARE(e->errorCode, QString("timeout"));
        QString full = OperationsModel::describe(*e);
        QVERIFY(full.contains("not answering after 180 s"));
        QVERIFY(full.contains("log: /var/lib/pidvisor/pool/demo-console.log"));
        QCOMPARE(model.runningCount(), 0);
    }

    void cancelsOnlyWhatMayBeCancelled()
    {
        OperationsModel model;
        OperationRunner runner(&model, {});
        QSignalSpy finished(&runner, &OperationRunner::finished);
        auto waitForCancel = [](OperationContext& ctx) -> Result<OperationResult> {
            for (int i = 0; i < 500 && !ctx.cancel->load(); ++i)
                QThread::msleep(10);
            if (ctx.cancel->load())
                return fail(ErrorCode::Cancelled, "cancelled before the final dump");
            return OperationResult{"ran to the end", {}};
        };
        OperationSpec cancellable{"checkpoint.create", "vm0/ct0", {}, {}, {}, true, {}, waitForCancel, {}, {}};
        OperationSpec fixed{"vm.create", "vm9", {}, {}, {}, false, {}, waitForCancel, {}, {}};
        int a = runner.submit(cancellable);
        int b = runner.submit(fixed);
        QVERIFY(!runner.cancel(b));
        QVERIFY(runner.cancel(a));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 10000);
        QCOMPARE(model.find(a)->state, OperationEntry::State::Cancelled);
        QCOMPARE(model.find(b)->state, OperationEntry::State::Ok);
    }

    void failsWithoutAConnection()
    {
        OperationsModel model;
        OperationRunner runner(&model, [](const std::string&) { return nullptr; });
        QSignalSpy finished(&runner, &OperationRunner::finished);
        OperationSpec spec;
        spec.kind = "vm.stop";
        spec.target = "vm0";
        spec.hostUri = "qemu:///nowhere";
        spec.body = [](OperationContext&) -> Result<OperationResult> { return OperationResult{}; };
        int id = runner.submit(spec);
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(model.find(id)->errorCode, QString("unavailable"));
        QCOMPARE(model.find(id)->errorMessage, QString("not connected to qemu:///nowhere"));
    }
};

PIDVISOR_GUI_TEST(TableModelsTest)

} // namespace pidvisor::gui::test

#include "TableModelsTest.moc"
