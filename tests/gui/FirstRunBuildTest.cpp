// The first-run page's build step against the real recipes, under the
// vmenv fixture: vm.setup.image and vm.setup.kernel have built the guest
// images and the container kernel, so the page's build finds both in the
// cache (no compile here) and records the image in this test's own
// inventory; a second check then reports it as built; then the page's
// "create a first VM" button boots the VM on qemu:///system and starts the
// first container in it, checked with the real CLI on this inventory (and
// removed again). Skips visibly when not root or libvirtd does not answer.
// The page's screenshot after the build stays in the build tree.
#include "GuiTestSupport.h"
#include "ScriptedDialogs.h"

#include "backend/BackendThread.h"
#include "models/OperationsModel.h"
#include "views/FirstRunPage.h"
#include "views/MainWindow.h"

#include <nlohmann/json.hpp>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <unistd.h>

namespace pidvisor::gui::test {

namespace {
const QString kUri = "qemu:///system";
using Level = FirstRunPage::Level;
} // namespace

class FirstRunBuildTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root for qemu:///system and the fixture's image cache");
        if (virsh({"uri"}) != 0)
            QSKIP("libvirtd does not answer at qemu:///system (packaging/libvirt-services.sh start)");
        QString dir = scratchDir("firstrun-build-" + QString::number(::getpid()));
        Backend::Options o;
        o.dbPath = (dir + "/inventory.db").toStdString();
        m_dbPath = o.dbPath;
        o.uris = {kUri.toStdString()};
        o.pollMs = 1500;
        m_backend = std::make_unique<BackendThread>(o);
        m_window = std::make_unique<MainWindow>(m_backend->backend(), &m_dialogs, MainWindow::Options{false});
        m_window->resize(1280, 820);
        m_window->show();
        m_backend->start();
        QTRY_VERIFY_WITH_TIMEOUT(m_window->firstRunShown(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(page()->reported(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(page()->checkLevel("libvirt") == Level::Ok, 60000);
    }

    void buildFindsTheFixturesImage()
    {
        QVERIFY2(page()->buildButton()->isEnabled(), qPrintable("image: " + page()->checkText("image")));
        QVERIFY(!page()->imageReady()); // this inventory has recorded none yet
        QElapsedTimer took;
        took.start();
        QTest::mouseClick(page()->buildButton(), Qt::LeftButton);
        int id = page()->buildOperation();
        QVERIFY(id > 0);
        OperationsModel* ops = m_window->operationsModel();
        QVERIFY(waitFor([&] { return ops->find(id)->state != OperationEntry::State::Running; }, 1200000));
        QVERIFY2(ops->find(id)->state == OperationEntry::State::Ok, qPrintable(OperationsModel::describe(*ops->find(id))));
        qInfo("build step: %s in %lld ms (cached: expect seconds)", qPrintable(ops->find(id)->summary), took.elapsed());
        QCOMPARE(page()->checkLevel("image"), Level::Ok);
        QVERIFY2(page()->checkText("image").startsWith("ready: image "), qPrintable(page()->checkText("image")));
        QVERIFY(page()->imageReady());
        QTRY_VERIFY(page()->createButton()->isEnabled());
        QCOMPARE(page()->targetHost(), kUri);
    }

    void aSecondCheckReportsTheImageAsBuilt()
    {
        // (No QSignalSpy::wait on the backend's signal: it is emitted on the
        // backend thread, and Qt 6.4's spy does not wake its loop from there.
        // The text changes from "ready:" only with a new report.)
        page()->recheck();
        QTRY_VERIFY_WITH_TIMEOUT(page()->checkText("image").startsWith("built: "), 30000);
        QVERIFY2(page()->checkText("image").contains("(kernel "), qPrintable(page()->checkText("image")));
        QString png = PIDVISOR_FIRSTRUN_BUILT_SCREENSHOT;
        QDir().mkpath(QFileInfo(png).path());
        QVERIFY(m_window->grab().save(png, "PNG"));
        qInfo("first-run screenshot after the build: %s", qPrintable(png));
        QVERIFY(!QImage(png).isNull());
    }

    void createFirstBootsAVmWithItsContainer()
    {
        QString name = page()->firstVmName(kUri);
        if (cli({"vm", "show", name}).first == 0 || virsh({"dominfo", name}) == 0)
            QSKIP(qPrintable("a VM named '" + name + "' exists on " + kUri + " (left by an earlier run?)"));
        QVERIFY(page()->createButton()->isEnabled());
        QElapsedTimer took;
        took.start();
        QTest::mouseClick(page()->createButton(), Qt::LeftButton);
        m_created = name;
        OperationsModel* ops = m_window->operationsModel();
        // The VM's operation, then the container's (submitted when the VM is up).
        auto finished = [&](const QString& kind) {
            for (int row = 0; row < ops->rowCount(); ++row) {
                const OperationEntry* e = ops->entry(row);
                if (e && e->kind == kind && e->state != OperationEntry::State::Running)
                    return e;
            }
            return static_cast<const OperationEntry*>(nullptr);
        };
        QVERIFY(waitFor([&] { return finished("vm.create") != nullptr; }, 600000));
        QVERIFY2(finished("vm.create")->state == OperationEntry::State::Ok, qPrintable(OperationsModel::describe(*finished("vm.create"))));
        QVERIFY(waitFor([&] { return finished("container.create") != nullptr; }, 120000));
        QVERIFY2(finished("container.create")->state == OperationEntry::State::Ok,
                 qPrintable(OperationsModel::describe(*finished("container.create"))));
        auto [status, out] = cli({"--json", "container", "list", name});
        QCOMPARE(status, 0);
        auto list = nlohmann::json::parse(out.toStdString(), nullptr, false);
        QVERIFY2(list.is_array() && list.size() == 1, qPrintable(out));
        QCOMPARE(QString::fromStdString(list[0].value("name", "")), QString("clock"));
        QCOMPARE(QString::fromStdString(list[0].value("state", "")), QString("running"));
        qInfo("first VM '%s' up with container 'clock' running in %lld ms", qPrintable(name), took.elapsed());
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_backend.reset();
        if (!m_created.isEmpty())
            (void)cli({"vm", "rm", "--force", m_created});
    }

private:
    FirstRunPage* page() const { return m_window->firstRunPage(); }

    // The real CLI on this test's inventory: exit status and standard output.
    std::pair<int, QString> cli(const QStringList& args) const
    {
        QProcess p;
        p.start(PIDVISOR_CLI, QStringList{"--db", QString::fromStdString(m_dbPath), "--connect", kUri} + args);
        if (!p.waitForFinished(300000))
            return {-1, {}};
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput())};
    }

    static int virsh(const QStringList& args)
    {
        QProcess p;
        p.start("virsh", QStringList{"-c", kUri} + args);
        return p.waitForFinished(30000) ? p.exitCode() : -1;
    }

    static bool waitFor(const std::function<bool()>& done, int ms)
    {
        QElapsedTimer t;
        t.start();
        while (!done()) {
            if (t.elapsed() > ms)
                return false;
            QTest::qWait(100);
        }
        return true;
    }

    ScriptedDialogs m_dialogs;
    std::string m_dbPath;
    QString m_created; // the VM the first-run page created
    std::unique_ptr<BackendThread> m_backend;
    std::unique_ptr<MainWindow> m_window;
};

} // namespace pidvisor::gui::test

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    qputenv("QTEST_FUNCTION_TIMEOUT", "1500000"); // a cache miss compiles
    QApplication app(argc, argv);
    QApplication::setOrganizationName("PidvisorTest");
    QApplication::setApplicationName("gui_firstrun_test");
    QStandardPaths::setTestModeEnabled(true);
    qRegisterMetaType<pidvisor::gui::SnapshotPtr>("pidvisor::gui::SnapshotPtr");
    pidvisor::gui::test::FirstRunBuildTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "FirstRunBuildTest.moc"
