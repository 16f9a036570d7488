// The first-run page: shown for an empty inventory with the real checks of
// this machine against a real libvirt connection (test:///default, in
// memory), hidden when the inventory has a VM, hidden by Skip and not
// shown again in the next session; its create button submits the first
// VM with the defaults. The page's screenshot stays in the build tree.
// (Building the image is gui_firstrun_test, under the vmenv fixture.)
#include "GuiTests.h"
#include "GuiTestSupport.h"
#include "ScriptedDialogs.h"

#include "backend/BackendThread.h"
#include "models/OperationsModel.h"
#include "views/FirstRunPage.h"
#include "views/MainWindow.h"

#include "host/SystemCheck.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QPushButton>
#include <QSettings>
#include <QTest>

#include <unistd.h>

namespace pidvisor::gui::test {

namespace {

using Level = FirstRunPage::Level;

SnapshotPtr emptySnapshot()
{
    SyntheticShape shape;
    shape.vms = 0;
    shape.checkpoints = 0;
    return makeSnapshot(shape);
}

} // namespace

class FirstRunTest : public QObject {
    Q_OBJECT
private slots:
    void init() { QSettings().clear(); }

    void checksTheRealSystemForAnEmptyInventory()
    {
        QString dir = scratchDir("firstrun-" + QString::number(::getpid()));
        Backend::Options o;
        o.dbPath = (dir + "/inventory.db").toStdString();
        o.uris = {"test:///default"};
        o.pollMs = 1000;
        BackendThread backend(o);
        ScriptedDialogs dialogs;
        MainWindow w(backend.backend(), &dialogs, {false});
        w.resize(1280, 820);
        w.show();
        backend.start();
        FirstRunPage* page = w.firstRunPage();
        QTRY_VERIFY_WITH_TIMEOUT(w.firstRunShown(), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(page->reported(), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(page->checkLevel("libvirt") == Level::Ok, 30000);
        QVERIFY2(page->checkText("libvirt").startsWith("connected to test:///default (libvirt "),
                 qPrintable(page->checkText("libvirt")));
        // The same answers the manager gives on this machine.
        auto choice = manager::chooseAccel("auto", manager::probeAccel());
        QVERIFY(choice);
        QVERIFY2(page->checkText("accel").startsWith(QString::fromStdString(choice->reason)),
                 qPrintable(page->checkText("accel")));
        QCOMPARE(page->checkLevel("accel"), choice->accel == "kvm" ? Level::Ok : Level::Warning);
        if (choice->accel == "tcg")
            QVERIFY(page->checkText("accel").contains("slower"));
        QVERIFY2(page->checkText("disk").contains(" GiB free in /"), qPrintable(page->checkText("disk")));
        manager::Paths paths = manager::Paths::defaults(o.dbPath);
        manager::CheckLine build = manager::checkImageBuild(paths);
        QCOMPARE(page->buildButton()->isEnabled(), build.level != Level::Problem);
        QVERIFY2(page->checkText("image").contains(QString::fromStdString(build.text)),
                 qPrintable(page->checkText("image")));
        // This inventory has recorded no image: nothing to create a VM from yet.
        QVERIFY(!page->imageReady());
        QVERIFY(!page->createButton()->isEnabled());
        QCOMPARE(page->targetHost(), QString("test:///default"));
        QString png = PIDVISOR_FIRSTRUN_SCREENSHOT;
        QDir().mkpath(QFileInfo(png).path());
        QVERIFY(w.grab().save(png, "PNG"));
        qInfo("first-run screenshot: %s", qPrintable(png));
        QVERIFY(!QImage(png).isNull());
    }

    void notShownWhenTheInventoryHasAVm()
    {
        ScriptedDialogs dialogs;
        MainWindow w(nullptr, &dialogs, {false});
        w.setSnapshot(makeSnapshot({}));
        QVERIFY(!w.firstRunShown());
        w.setSnapshot(emptySnapshot()); // decided on the first snapshot
        QVERIFY(!w.firstRunShown());
    }

    void hiddenOnceAVmExists()
    {
        ScriptedDialogs dialogs;
        MainWindow w(nullptr, &dialogs, {true});
        w.setSnapshot(emptySnapshot());
        QVERIFY(w.firstRunShown());
        w.setSnapshot(makeSnapshot({}));
        QVERIFY(!w.firstRunShown());
        w.setSnapshot(emptySnapshot());
        QVERIFY(!w.firstRunShown());
        // Asked for from the Help menu, it stays while VMs come and go.
        w.setSnapshot(makeSnapshot({}));
        w.findChild<QAction*>("showFirstRun")->trigger();
        QVERIFY(w.firstRunShown());
        w.setSnapshot(makeSnapshot({}));
        QVERIFY(w.firstRunShown());
        MainWindow again(nullptr, &dialogs, {true});
        again.setSnapshot(emptySnapshot());
        QVERIFY(!again.firstRunShown()); // the inventory had a VM once
    }

    void skipHidesIt()
    {
        ScriptedDialogs dialogs;
        {
            MainWindow w(nullptr, &dialogs, {true});
            w.setSnapshot(emptySnapshot());
            QVERIFY(w.firstRunShown());
            QTest::mouseClick(w.firstRunPage()->skipButton(), Qt::LeftButton);
            QVERIFY(!w.firstRunShown());
            w.setSnapshot(emptySnapshot());
            QVERIFY(!w.firstRunShown());
        }
        MainWindow again(nullptr, &dialogs, {true});
        again.setSnapshot(emptySnapshot());
        QVERIFY(!again.firstRunShown());
        auto* show = again.findChild<QAction*>("showFirstRun");
        QVERIFY(show);
        show->trigger();
        QVERIFY(again.firstRunShown());
    }

    void createsTheFirstVmWithDefaults()
    {
        ScriptedDialogs dialogs;
        MainWindow w(nullptr, &dialogs, {false});
        w.setSnapshot(emptySnapshot());
        FirstRunPage* page = w.firstRunPage();
        QVERIFY(!page->createButton()->isEnabled());
        FirstRunReport report;
        report.system.build = {Level::Ok, "images are built in /cache"};
        manager::ImageRecord image;
        image.id = "0123456789abcdef";
        image.kernelKind = "container";
        image.kernelRelease = "6.12.57-pidvisor";
        image.path = "/cache/images/0123456789abcdef";
        report.image = image;
        page->showReport(report);
        QCOMPARE(page->checkLevel("image"), Level::Ok);
        QVERIFY(page->checkText("image").startsWith("built: 0123456789ab (kernel 6.12.57-pidvisor)"));
        QVERIFY(page->createButton()->isEnabled());
        QString host = "qemu+test://host0/system";
        QCOMPARE(page->targetHost(), host);
        QCOMPARE(page->firstVmName(host), QString("first"));
        QTest::mouseClick(page->createButton(), Qt::LeftButton);
        OperationsModel* ops = w.operationsModel();
        QCOMPARE(ops->rowCount(), 1);
        const OperationEntry* e = ops->entry(0);
        QCOMPARE(e->kind, QString("vm.create"));
        QCOMPARE(e->target, QString("first"));
        QCOMPARE(e->hostUri, host);
        QTRY_COMPARE(ops->entry(0)->state, OperationEntry::State::Failed); // no backend here
        QCOMPARE(ops->entry(0)->errorMessage, "not connected to " + host);
        // A name already taken on that host is not reused.
        MainWindow full(nullptr, &dialogs, {false});
        SyntheticShape shape;
        shape.vms = 1;
        auto s = makeSnapshot(shape);
        s->hosts[0].vms[0].record.name = "first";
        full.setSnapshot(s);
        QCOMPARE(full.firstRunPage()->firstVmName(host), QString("first-2"));
    }
};

PIDVISOR_GUI_TEST(FirstRunTest)

} // namespace pidvisor::gui::test

#include "FirstRunTest.moc"
