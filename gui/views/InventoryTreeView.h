// InventoryTreeView: the inventory tree: sortable columns, rows selected
// whole, a container dragged onto a VM to migrate it (the model reports
// the drop), and context menus asked from the window with the row under
// the pointer.
#pragma once

#include <QTreeView>

namespace pidvisor::gui {

class InventoryTreeView : public QTreeView {
    Q_OBJECT
public:
    explicit InventoryTreeView(QWidget* parent = nullptr);

signals:
    void contextMenuAt(const QModelIndex& index, const QPoint& globalPos);
};

} // namespace pidvisor::gui
