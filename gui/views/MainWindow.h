// MainWindow: Pidvisor's window. The inventory tree (hosts > VMs >
// containers > processes, virtual and global pids side by side) with a
// text filter, the details of the selection beside it, and below them the
// operations panel, the checkpoint history and the charts. It renders
// snapshots from the Backend and starts work through ActionController and
// OperationRunner; it never calls libvirt or an agent itself. Window
// geometry, splitters, expanded rows and column widths persist in QSettings.
// While the inventory has no VM, the first-run page takes the place of the
// tree and details (until skipped, or once a VM exists).
#pragma once

#include "Selection.h"

#include "backend/Snapshot.h"

#include <QMainWindow>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTableView;

namespace pidvisor::gui {

class ActionController;
class Backend;
class ChartsView;
class ImagesView;
class CheckpointsModel;
class DetailsPane;
class DialogProvider;
class FirstRunPage;
class InventoryModel;
class InventoryProxyModel;
class InventoryTreeView;
class OperationRunner;
class OperationsModel;
class OperationsPanel;
class TreeStateKeeper;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    struct Options {
        bool persistState = true; // read and write QSettings
    };

    MainWindow(Backend* backend, DialogProvider* dialogs, Options options, QWidget* parent = nullptr);
    ~MainWindow() override;

    void setSnapshot(SnapshotPtr snapshot);
    [[nodiscard]] const SnapshotPtr& snapshot() const { return m_snapshot; }
    [[nodiscard]] const Selection& selection() const { return m_selection; }
    bool selectPath(const QStringList& path);
    bool selectCheckpoint(const QString& id);
    void showTab(int index);
    void addConnection(const QString& uri);

    [[nodiscard]] InventoryModel* inventoryModel() const { return m_model; }
    [[nodiscard]] InventoryProxyModel* proxy() const { return m_proxy; }
    [[nodiscard]] InventoryTreeView* tree() const { return m_tree; }
    [[nodiscard]] DetailsPane* details() const { return m_details; }
    [[nodiscard]] ActionController* actions() const { return m_actions; }
    [[nodiscard]] OperationRunner* runner() const { return m_runner; }
    [[nodiscard]] OperationsModel* operationsModel() const { return m_operations; }
    [[nodiscard]] CheckpointsModel* checkpointsModel() const { return m_checkpoints; }
    [[nodiscard]] ChartsView* charts() const { return m_charts; }
    [[nodiscard]] ImagesView* images() const { return m_images; }
    [[nodiscard]] QLineEdit* filterEdit() const { return m_filter; }
    [[nodiscard]] QLabel* countsLabel() const { return m_counts; }
    [[nodiscard]] FirstRunPage* firstRunPage() const { return m_firstRun; }
    [[nodiscard]] bool firstRunShown() const;
    // Shows the first-run page again (Help menu), or hides it.
    void showFirstRun(bool show);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildLayout();
    void buildMenus();
    void buildToolBar();
    void wireBackend();
    void onTreeCurrentChanged(const QModelIndex& index);
    void onCheckpointCurrentChanged(const QModelIndex& index);
    void setSelection(const Selection& selection);
    void showContextMenu(const QModelIndex& index, const QPoint& globalPos);
    void applyFilter(const QString& text);
    void updateStatus();
    void restoreState();
    void saveState() const;
    void requestRefresh();
    void updateFirstRun();
    void skipFirstRun();

    Backend* m_backend;
    DialogProvider* m_dialogs;
    Options m_options;
    SnapshotPtr m_snapshot;
    Selection m_selection;
    InventoryModel* m_model;
    InventoryProxyModel* m_proxy;
    OperationsModel* m_operations;
    CheckpointsModel* m_checkpoints;
    QSortFilterProxyModel* m_checkpointSort;
    OperationRunner* m_runner;
    ActionController* m_actions = nullptr;
    InventoryTreeView* m_tree = nullptr;
    TreeStateKeeper* m_treeState = nullptr;
    DetailsPane* m_details = nullptr;
    QTableView* m_checkpointTable = nullptr;
    OperationsPanel* m_operationsPanel = nullptr;
    ChartsView* m_charts = nullptr;
    ImagesView* m_images = nullptr;
    QTabWidget* m_bottomTabs = nullptr;
    QSplitter* m_vertical = nullptr;
    QSplitter* m_horizontal = nullptr;
    QStackedWidget* m_top = nullptr; // the tree and details, or the first-run page
    FirstRunPage* m_firstRun = nullptr;
    bool m_firstRunDecided = false;
    bool m_firstRunRecorded = false; // firstRun/done written
    QLineEdit* m_filter = nullptr;
    QLabel* m_counts = nullptr;
    QLabel* m_updated = nullptr;
};

} // namespace pidvisor::gui
