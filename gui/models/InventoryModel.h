// InventoryModel: the inventory as a tree (hosts > VMs > containers >
// processes) for QTreeView, fed with snapshots from the backend.
//
// setSnapshot() compares the new snapshot with the rows it has, level by
// level, by keys that survive refreshes: unchanged rows stay untouched,
// changed rows get dataChanged, new and vanished rows are inserted and
// removed in place (so selection, expansion and scrolling survive), and a
// first load is a single fast reset. A container can be dragged onto a VM
// of the same host: the model does not move anything, it reports the drop
// (containerDropped) and the window asks whether to migrate.
#pragma once

#include "InventoryNode.h"

#include <QAbstractItemModel>

namespace pidvisor::gui {

class InventoryModel : public QAbstractItemModel {
    Q_OBJECT
public:
    static constexpr const char* kContainerMime = "application/x-pidvisor-container";

    struct UpdateStats {
        int inserted = 0, removed = 0, changed = 0;
        bool reset = false;
    };

    explicit InventoryModel(QObject* parent = nullptr);
    ~InventoryModel() override;

    void setSnapshot(SnapshotPtr snapshot);
    [[nodiscard]] const SnapshotPtr& snapshot() const { return m_snapshot; }
    [[nodiscard]] const UpdateStats& lastUpdate() const { return m_stats; }
    // By names: {uri}, {uri, vm}, {uri, vm, container}, {uri, vm, container, vpid}.
    [[nodiscard]] QModelIndex indexForPath(const QStringList& path) const;
    [[nodiscard]] const InventoryNode* node(const QModelIndex& index) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    bool canDropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                         const QModelIndex& parent) const override;
    bool dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                      const QModelIndex& parent) override;
    Qt::DropActions supportedDropActions() const override;
    Qt::DropActions supportedDragActions() const override;

    [[nodiscard]] static QStringList pathOf(const InventoryNode& node);
    // The last element of pathOf(): uri, VM name, container name or vpid.
    [[nodiscard]] static QString nodeName(const InventoryNode& node);

signals:
    void containerDropped(const QString& uri, const QString& vm, const QString& container, const QString& targetVm);

private:
    [[nodiscard]] std::vector<ChildRef> childrenOf(const InventoryNode& node) const;
    [[nodiscard]] std::unique_ptr<InventoryNode> build(const ChildRef& ref, InventoryNode* parent, int row) const;
    void syncChildren(InventoryNode* node, const QModelIndex& index);
    void restructure(InventoryNode* node, const QModelIndex& index, const std::vector<ChildRef>& fresh);
    void removeRun(InventoryNode* node, const QModelIndex& index, int first, int last);
    void update(InventoryNode* node, const ChildRef& ref, const QModelIndex& parentIndex);
    [[nodiscard]] QModelIndex indexOf(const InventoryNode* node) const;
    [[nodiscard]] static QVariant pathValue(const InventoryNode& node, int role);
    // The VM row a drop onto `parent` targets, when it is a valid migration target.
    [[nodiscard]] const InventoryNode* dropTarget(const QMimeData* data, const QModelIndex& parent) const;

    InventoryNode m_root;
    SnapshotPtr m_snapshot;
    UpdateStats m_stats;
};

} // namespace pidvisor::gui
