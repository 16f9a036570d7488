// ActionController: every action of the window (menus, toolbar, context
// menus, keyboard shortcuts) in one place: which are enabled for the
// current selection and snapshot, and what each does: ask through the
// DialogProvider, then submit an operation to the OperationRunner. Nothing
// here calls libvirt or an agent; operations run on worker threads.
// Checkpoint actions stay disabled, saying why, while the checkpoint
// service is not built.
#pragma once

#include "Selection.h"

#include "backend/Snapshot.h"
#include "dialogs/DialogRequests.h"

#include <QObject>

#include <array>

class QAction;
class QMenu;
class QWidget;

namespace pidvisor::gui {

class Backend;
class DialogProvider;
class OperationRunner;
struct OperationSpec;

class ActionController : public QObject {
    Q_OBJECT
public:
    enum Id {
        AddConnection, Refresh, NewVm, StartVm, StopVm, DestroyVm, DeleteVm, NewContainer, Exec, StopContainer,
        KillContainer, DeleteContainer, Checkpoint, Restore, Migrate, VerifyCheckpoint, DeleteCheckpoint,
        CancelOperation, FocusFilter, About, Quit, Count
    };

    ActionController(QWidget* window, DialogProvider* dialogs, OperationRunner* runner, Backend* backend);

    [[nodiscard]] QAction* action(Id id) const { return m_actions[id]; }
    void setSnapshot(SnapshotPtr snapshot);
    void setSelection(const Selection& selection);
    void fillContextMenu(QMenu* menu) const;
    // The person dropped a container on another VM.
    void migrateDropped(const QString& uri, const QString& vm, const QString& container, const QString& target);
    // Returns the operation id, or 0 when nothing was started.
    int trigger(Id id);

signals:
    void connectionAdded(const QString& uri);
    void refreshRequested();
    void cancelRequested();
    void focusFilterRequested();
    void quitRequested();
    void message(const QString& text);

private:
    void create();
    void updateEnabled();
    [[nodiscard]] const VmInfo* selectedVm() const;
    [[nodiscard]] const ContainerInfo* selectedContainer() const;
    [[nodiscard]] const manager::CheckpointRecord* selectedCheckpoint() const;
    [[nodiscard]] bool connected(const QString& uri) const;
    [[nodiscard]] QStringList connectedHosts() const;
    [[nodiscard]] std::vector<VmChoice> runningVms(const QString& uri, const QString& except) const;
    [[nodiscard]] QString checkpointHost(const manager::CheckpointRecord& checkpoint) const;
    [[nodiscard]] AboutInfo aboutInfo() const;
    int submit(OperationSpec spec);

    // What each action does (ActionHandlers.cpp).
    int addConnection();
    int newVm();
    int vmLifecycle(Id id);
    int newContainer();
    int exec();
    int containerAction(Id id);
    int checkpoint();
    int restore();
    int migrate(const std::optional<VmChoice>& preselected);
    int checkpointAction(Id id);

    QWidget* m_window;
    DialogProvider* m_dialogs;
    OperationRunner* m_runner;
    Backend* m_backend;
    SnapshotPtr m_snapshot;
    Selection m_selection;
    std::array<QAction*, Count> m_actions{};
};

} // namespace pidvisor::gui
