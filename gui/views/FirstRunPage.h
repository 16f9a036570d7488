// FirstRunPage: what the window shows instead of the tree while the
// inventory has no VM, so a first run needs no terminal. It shows the
// checks of this machine (the libvirt connection the window uses, KVM or
// TCG, free disk space, whether the guest image can be built or is built
// already), builds the container kernel and guest image with progress,
// and on request creates a first VM with a first container in it. All of
// that runs on the backend thread or as operations (the operations panel
// shows them too); the page only renders reports and snapshots.
#pragma once

#include "backend/FirstRunOperations.h"
#include "backend/Snapshot.h"

#include <QWidget>

#include <map>

class QLabel;
class QProgressBar;
class QPushButton;

namespace pidvisor::gui {

class Backend;
class OperationRunner;

class FirstRunPage : public QWidget {
    Q_OBJECT
public:
    using Level = manager::CheckLine::Level;

    FirstRunPage(Backend* backend, OperationRunner* runner, QWidget* parent = nullptr);

    void setSnapshot(const SnapshotPtr& snapshot);
    void recheck(); // asks the backend for a new report (once it has sent a snapshot)
    void showReport(const FirstRunReport& report);

    // One check's text and level: "libvirt", "accel", "disk", "image".
    [[nodiscard]] QString checkText(const QString& check) const;
    [[nodiscard]] Level checkLevel(const QString& check) const;
    [[nodiscard]] bool reported() const { return m_reported; }
    [[nodiscard]] bool imageReady() const { return m_imageReady; }
    [[nodiscard]] int buildOperation() const { return m_buildId; }
    [[nodiscard]] QPushButton* buildButton() const { return m_build; }
    [[nodiscard]] QPushButton* createButton() const { return m_create; }
    [[nodiscard]] QPushButton* skipButton() const { return m_skip; }

    // The VM name the first run would use on `uri`: "first", else "first-2"...
    [[nodiscard]] QString firstVmName(const QString& uri) const;
    // The connected host a first VM goes to (qemu:///system preferred).
    [[nodiscard]] QString targetHost() const;

signals:
    void skipped();

private:
    void addCheck(const QString& check, const QString& title);
    void setCheck(const QString& check, Level level, const QString& text);
    void showLibvirt();
    void build();
    void createFirst();
    void onOperationsChanged();
    void updateButtons();

    Backend* m_backend;
    OperationRunner* m_runner;
    SnapshotPtr m_snapshot;
    std::map<QString, std::pair<QLabel*, Level>> m_checks;
    QProgressBar* m_progress;
    QLabel* m_status;
    QPushButton* m_build;
    QPushButton* m_create;
    QPushButton* m_skip;
    bool m_reported = false;
    bool m_buildPossible = false;
    bool m_imageReady = false;
    int m_buildId = 0;
    int m_createId = 0;
};

} // namespace pidvisor::gui
