// The dialogs on their own: validation, what they hand back, and the exec
// dialog's run-and-show cycle through its runner.
#include "GuiTests.h"

#include "dialogs/AboutDialog.h"
#include "dialogs/CreateImageDialog.h"
#include "dialogs/ExecDialog.h"
#include "dialogs/MigrateDialog.h"
#include "dialogs/NewContainerDialog.h"
#include "dialogs/NewVmDialog.h"
#include "dialogs/RestoreDialog.h"

#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPushButton>
#include <QLabel>
#include <QTest>

namespace pidvisor::gui::test {

class DialogsTest : public QObject {
    Q_OBJECT
private slots:
    void newVmValidatesAndRoundTrips()
    {
        NewVmDialog d({"qemu:///system", "test:///default"}, "test:///default");
        auto* ok = d.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        QVERIFY(!ok->isEnabled());
        d.findChild<QLineEdit*>("name")->setText("bad name!");
        QVERIFY(!ok->isEnabled());
        QVERIFY(!d.problem().isEmpty());
        NewVmRequest r;
        r.uri = "qemu:///system";
        r.options.name = "demo";
        r.options.memoryMiB = 768;
        r.options.vcpus = 2;
        r.options.kernel = "container";
        r.options.accel = "tcg";
        r.options.bootTimeout = std::chrono::seconds(300);
        d.setRequest(r);
        QVERIFY(ok->isEnabled());
        NewVmRequest back = d.request();
        QCOMPARE(back.uri, r.uri);
        QCOMPARE(back.options.name, std::string("demo"));
        QCOMPARE(back.options.memoryMiB, 768);
        QCOMPARE(back.options.vcpus, 2);
        QCOMPARE(back.options.kernel, std::string("container"));
        QCOMPARE(back.options.accel, std::string("tcg"));
        QCOMPARE(back.options.bootTimeout.count(), 300);
        QCOMPARE(back.options.network, std::string()); // the default network
        r.options.network = "none";
        d.setRequest(r);
        QCOMPARE(d.request().options.network, std::string("none"));
        r.options.network = "lab";
        d.setRequest(r);
        QCOMPARE(d.request().options.network, std::string("lab"));
    }

    void newContainerBuildsCreateArguments()
    {
        NewContainerDialog d(VmChoice{"qemu:///system", "vm1"});
        auto* ok = d.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        d.setName("web");
        QVERIFY(!ok->isEnabled()); // no command yet
        d.setCommand("/bin/sh -c 'sleep 1000 & sleep 1000'");
        d.setLimits(64, 20);
        d.setInit(true);
        QVERIFY(ok->isEnabled());
        NewContainerRequest r = d.request();
        QCOMPARE(r.vm, QString("vm1"));
        QCOMPARE(r.spec.name, std::string("web"));
        QCOMPARE(r.spec.argv.size(), 3u);
        QCOMPARE(r.spec.argv[2], std::string("sleep 1000 & sleep 1000"));
        QCOMPARE(r.spec.memoryMiB, std::optional<std::int64_t>(64));
        QCOMPARE(r.spec.pidsMax, std::optional<std::int64_t>(20));
        QVERIFY(r.spec.init);
        QVERIFY(!r.spec.hostname);
        QVERIFY(!r.spec.privileged); // confined unless asked
        d.setPrivileged(true);
        QVERIFY(d.request().spec.privileged);
        QVERIFY(!r.spec.userns); // the VM's root unless asked
        d.setUserNamespace(true);
        QVERIFY(d.request().spec.userns.has_value());
        QVERIFY(!d.request().spec.userns->base); // the agent picks the range
    }

    void newContainerFromAnImageNeedsNoCommand()
    {
        protocol::ImageInfo web;
        web.name = "web";
        web.digest = "sha256:" + std::string(64, 'a');
        web.config.entrypoint = {"/bin/httpd"};
        web.config.cmd = {"-f", "-p", "80"};
        protocol::ImageInfo bare;
        bare.name = "bare";
        bare.digest = "sha256:" + std::string(64, 'b');
        NewContainerDialog d(VmChoice{"qemu:///system", "vm1"}, nullptr, {web, bare});
        auto* ok = d.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        auto* shown = d.findChild<QLabel*>("imageDefault");
        d.setName("srv");
        QVERIFY(!ok->isEnabled()); // the VM's own files: a command is needed
        QVERIFY(d.setImage("web"));
        QVERIFY2(ok->isEnabled(), qPrintable(d.problem()));
        QCOMPARE(shown->text(), QString("default command: /bin/httpd -f -p 80"));
        NewContainerRequest r = d.request();
        QCOMPARE(r.image, QString("web"));
        QVERIFY(r.spec.argv.empty()); // the image's default, applied by the manager
        // An image without a default command needs one, as docker run does.
        QVERIFY(d.setImage("bare"));
        QVERIFY(!ok->isEnabled());
        QCOMPARE(shown->text(), QString("the image has no default command: give one"));
        d.setCommand("/bin/sh");
        QVERIFY(ok->isEnabled());
        QCOMPARE(d.request().spec.argv, std::vector<std::string>{"/bin/sh"});
        QVERIFY(!d.setImage("nope"));
        QVERIFY(d.setImage(""));
        QCOMPARE(d.request().image, QString());
    }

    void newContainerRefusesWhatTheAgentWould()
    {
        NewContainerDialog d(VmChoice{"qemu:///system", "vm1"});
        auto* ok = d.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        d.setName("web");
        d.setCommand("sleep 1");
        d.setLimits(2, 0); // below the protocol's 4 MiB
        QVERIFY(!ok->isEnabled());
        QVERIFY2(d.problem().contains("memory_mib"), qPrintable(d.problem()));
        d.setLimits(64, 0);
        QVERIFY(ok->isEnabled());
    }

    void createImageValidatesAndSplitsPackages()
    {
        CreateImageDialog d;
        auto* ok = d.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        QVERIFY(!ok->isEnabled());
        d.findChild<QLineEdit*>("name")->setText("kv");
        QVERIFY(!ok->isEnabled());
        QVERIFY(d.problem().contains("at least one package"));
        d.findChild<QLineEdit*>("packages")->setText("redis-server; rm");
        QVERIFY(!ok->isEnabled());
        QVERIFY(d.problem().contains("not a Debian package name"));
        d.findChild<QLineEdit*>("packages")->setText(" redis-server, python3  libc6,");
        QVERIFY(ok->isEnabled());
        ImageCreateRequest r = d.request();
        QCOMPARE(r.name, std::string("kv"));
        QCOMPARE(r.packages, (std::vector<std::string>{"redis-server", "python3", "libc6"}));
        QCOMPARE(r.base, std::string("debian:13"));
        d.setRequest({"old", {"hello"}, "debian:12"});
        QCOMPARE(d.request().base, std::string("debian:12"));
        QCOMPARE(d.request().packages, std::vector<std::string>{"hello"});
    }

    void execShowsOutputAndExitCode()
    {
        QStringList seen;
        std::function<void(const ExecOutcome&)> pending;
        ExecDialog d("vm1/web", [&](const QStringList& argv, std::function<void(const ExecOutcome&)> done) {
            seen = argv;
            pending = std::move(done);
        });
        d.setCommand("echo 'hello world'");
        d.run();
        QCOMPARE(seen, QStringList({"echo", "hello world"}));
        QVERIFY(d.running());
        d.run(); // ignored while one runs
        pending(ExecOutcome{true, {{"exit_code", 3}, {"stdout", "hello world\n"}, {"stderr", ""}}, {}});
        QVERIFY(!d.running());
        QVERIFY(d.output().contains("hello world"));
        QCOMPARE(d.status(), QString("exit code 3"));
        d.run();
        pending(ExecOutcome{false, {}, "failed_precondition: container 'web' is not running"});
        QVERIFY(d.status().contains("not running"));
    }

    void restoreAndMigratePickTargets()
    {
        manager::CheckpointRecord cp;
        cp.id = "abcdef0123456789";
        cp.containerName = "web";
        cp.vmName = "vm1";
        std::vector<VmChoice> vms{{"qemu:///system", "vm2"}, {"qemu:///system", "vm3"}};
        RestoreDialog restore(cp, vms);
        restore.setTarget(vms[1]);
        restore.setNewName("web-copy");
        QCOMPARE(restore.request().target, vms[1]);
        QCOMPARE(restore.request().newName, QString("web-copy"));
        MigrateDialog migrate("vm1/web", vms, vms[1]);
        migrate.setLive(true);
        QCOMPARE(migrate.request().target, vms[1]);
        QVERIFY(migrate.request().live);
        MigrateDialog none("vm1/web", {}, std::nullopt);
        QVERIFY(!none.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled());
    }

    void aboutListsVersions()
    {
        AboutInfo info{"0.1.0", "6.4.2", "1", {"qemu:///system: libvirt 9.0.0, QEMU 7.2.0"}, {}};
        QString text = AboutDialog::text(info);
        QVERIFY(text.contains("libvirt 9.0.0"));
        QVERIFY(text.contains("agent protocol</b> 1"));
    }
};

PIDVISOR_GUI_TEST(DialogsTest)

} // namespace pidvisor::gui::test

#include "DialogsTest.moc"
