// The Images tab: the host's container images from the snapshot, Import…
// through the DialogProvider seam into a real import (a real OCI archive,
// the real ImageService, mkfs.erofs), Delete confirmed and done, the row
// following the inventory.
#include "GuiTests.h"
#include "GuiTestSupport.h"
#include "ScriptedDialogs.h"

#include "../unit/manager/ImageArchiveBuilder.h"

#include "images/DebianImage.h"
#include "models/ImagesModel.h"
#include "models/ModelRoles.h"
#include "models/OperationsModel.h"
#include "views/ActionController.h"
#include "views/ImagesView.h"
#include "views/MainWindow.h"

#include <QDir>
#include <QFile>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTest>

#include <unistd.h>

#include <cstdlib>

namespace pidvisor::gui::test {

class ImagesTest : public QObject {
    Q_OBJECT
private:
    // A fresh inventory and images directory in `dir`.
    bool openInventory(const QString& dir)
    {
        qputenv("PIDVISOR_IMAGES_DIR", (dir + "/images").toUtf8());
        db = (dir + "/inventory.db").toStdString();
        auto opened = manager::Inventory::open(db);
        if (!opened)
            return false;
        inventory.emplace(std::move(*opened));
        return true;
    }
    // A snapshot with the inventory's images, as the backend makes it.
    SnapshotPtr snapshotOf()
    {
        auto s = makeSnapshot({});
        s->inventoryPath = db;
        if (auto images = inventory->containerImages())
            s->images = *images;
        return SnapshotPtr(s);
    }
    std::string db;
    std::optional<manager::Inventory> inventory;

private slots:
    void init() { QSettings().clear(); }

    void importAndDeleteThroughTheTab()
    {
        QString dir = scratchDir("images-tab");
        QVERIFY(openInventory(dir));
        ScriptedDialogs dialogs;
        MainWindow w(nullptr, &dialogs, {false});
        w.setSnapshot(snapshotOf());
        ImagesView* view = w.images();
        QCOMPARE(view->model()->rowCount(), 0);
        auto* importButton = view->findChild<QPushButton*>("importImage");
        auto* deleteButton = view->findChild<QPushButton*>("deleteImage");
        QVERIFY(importButton && deleteButton);
        QVERIFY(importButton->isEnabled());
        QVERIFY(!deleteButton->isEnabled());
        // A cancelled file dialog starts nothing.
        QCOMPARE(view->importImage(), 0);
        QCOMPARE(dialogs.asked, QStringList({"importImage"}));

        if (::geteuid() != 0)
            QSKIP("importing keeps file owners, which needs root");
        if (std::system("command -v mkfs.erofs >/dev/null") != 0)
            QSKIP("erofs-utils is not installed (make deps installs it)");
        namespace mt = manager::test;
        mt::ImageArchiveBuilder b;
        b.layer({mt::file("etc/passwd", "root:x:0:0::/:/bin/sh\n"), mt::file("srv/index.html", "<h1>hi</h1>")});
        b.config["config"] = {{"Cmd", {"/bin/sh"}}};
        std::string archive = (dir + "/web.tar").toStdString();
        b.writeOci(archive);
        dialogs.imageImports.push_back({QString::fromStdString(archive), "gui-web"});
        int id = view->importImage();
        QVERIFY(id > 0);
        OperationsModel* ops = w.operationsModel();
        QTRY_VERIFY_WITH_TIMEOUT(ops->find(id)->state != OperationEntry::State::Running, 60000);
        QCOMPARE(ops->find(id)->errorMessage, QString());
        QCOMPARE(ops->find(id)->state, OperationEntry::State::Ok);
        QVERIFY(ops->find(id)->summary.startsWith("image gui-web (sha256:"));

        w.setSnapshot(snapshotOf());
        QCOMPARE(view->model()->rowCount(), 1);
        QCOMPARE(view->model()->index(0, ImageColumn::Name).data().toString(), QString("gui-web"));
        QCOMPARE(view->model()->index(0, ImageColumn::Digest).data().toString(),
                 QString::fromStdString(b.configDigest().substr(0, 19)));

        // New Container offers it, and asks for a container from it.
        QVERIFY(w.selectPath({"qemu+test://host0/system", "vm1"}));
        NewContainerRequest request;
        request.uri = "qemu+test://host0/system";
        request.vm = "vm1";
        request.spec.name = "from-image";
        request.image = "gui-web";
        dialogs.newContainers.push_back(request);
        int create = w.actions()->trigger(ActionController::NewContainer);
        QVERIFY(create > 0);
        QCOMPARE(dialogs.offeredImages.size(), 1u);
        QCOMPARE(dialogs.offeredImages[0].name, std::string("gui-web"));
        QTRY_COMPARE(ops->find(create)->state, OperationEntry::State::Failed);
        QCOMPARE(ops->find(create)->errorMessage, "not connected to qemu+test://host0/system"); // no backend here

        QVERIFY(view->select("gui-web"));
        QVERIFY(deleteButton->isEnabled());
        dialogs.confirmAnswer = false;
        QCOMPARE(view->deleteSelected(), 0);
        dialogs.confirmAnswer = true;
        id = view->deleteSelected();
        QVERIFY(id > 0);
        QTRY_VERIFY_WITH_TIMEOUT(ops->find(id)->state != OperationEntry::State::Running, 30000);
        QCOMPARE(ops->find(id)->state, OperationEntry::State::Ok);
        w.setSnapshot(snapshotOf());
        QCOMPARE(view->model()->rowCount(), 0);
        QVERIFY(!deleteButton->isEnabled());
        QVERIFY(QDir(dir + "/images").isEmpty());
        QDir(dir).removeRecursively();
    }

    // New… builds from Debian packages as an operation with progress. The
    // recipe here is a stand-in (PIDVISOR_SOURCE_DIR) that makes a tiny
    // tree the way debian-image.sh does, so the rest is real: ImageService,
    // mkfs.erofs, the inventory row. The real recipe runs in the VM tests.
    void createFromPackagesThroughTheTab()
    {
        QString dir = scratchDir("images-create");
        QVERIFY(openInventory(dir));
        ScriptedDialogs dialogs;
        MainWindow w(nullptr, &dialogs, {false});
        w.setSnapshot(snapshotOf());
        ImagesView* view = w.images();
        auto* createButton = view->findChild<QPushButton*>("createImage");
        QVERIFY(createButton && createButton->isEnabled());
        QCOMPARE(view->createImage(), 0); // cancelled
        QCOMPARE(dialogs.asked, QStringList({"createImage"}));

        if (::geteuid() != 0)
            QSKIP("building an image keeps file owners, which needs root");
        if (std::system("command -v mkfs.erofs >/dev/null") != 0)
            QSKIP("erofs-utils is not installed (make deps installs it)");
        QDir().mkpath(dir + "/src/packaging/images");
        QFile recipe(dir + "/src/packaging/images/debian-image.sh");
        QVERIFY(recipe.open(QIODevice::WriteOnly));
        recipe.write(R"(#!/bin/bash
set -e
out=$6
mkdir -p "$out/rootfs/etc"
echo 'root:x:0:0::/root:/bin/bash' >"$out/rootfs/etc/passwd"
echo 'progress 65 install hello' >&2
printf 'hello=2.10-5\nlibc6=2.41-12\n'
)");
        recipe.close();
        recipe.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        qputenv("PIDVISOR_SOURCE_DIR", (dir + "/src").toUtf8());

        dialogs.imageCreates.push_back({"gui-hello", {"hello"}, "debian:13"});
        int id = view->createImage();
        QVERIFY(id > 0);
        OperationsModel* ops = w.operationsModel();
        QTRY_VERIFY_WITH_TIMEOUT(ops->find(id)->state != OperationEntry::State::Running, 60000);
        qunsetenv("PIDVISOR_SOURCE_DIR");
        QCOMPARE(ops->find(id)->errorMessage, QString());
        QCOMPARE(ops->find(id)->state, OperationEntry::State::Ok);
        QVERIFY(ops->find(id)->summary.startsWith("image gui-hello (sha256:"));
        w.setSnapshot(snapshotOf());
        QCOMPARE(view->model()->rowCount(), 1);
        QCOMPARE(view->model()->index(0, ImageColumn::Name).data().toString(), QString("gui-hello"));
        QCOMPARE(view->model()->index(0, ImageColumn::Digest).data().toString(),
                 QString::fromStdString(manager::debianImageDigest("debian:13", {"hello=2.10-5", "libc6=2.41-12"})
                                            .substr(0, 19)));
        QDir(dir).removeRecursively();
    }
};

PIDVISOR_GUI_TEST(ImagesTest)

} // namespace pidvisor::gui::test

#include "ImagesTest.moc"
