#include "InventoryTreeView.h"

#include <QHeaderView>

namespace pidvisor::gui {

InventoryTreeView::InventoryTreeView(QWidget* parent) : QTreeView(parent)
{
    setObjectName("inventoryTree");
    setSortingEnabled(true);
    setAlternatingRowColors(true);
    setUniformRowHeights(true); // large inventories scroll smoothly
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setDragEnabled(true);
    setAcceptDrops(true);
    setDropIndicatorShown(true);
    setDragDropMode(QAbstractItemView::DragDrop);
    setDefaultDropAction(Qt::CopyAction);
    setAllColumnsShowFocus(true);
    setContextMenuPolicy(Qt::CustomContextMenu);
    header()->setStretchLastSection(true);
    header()->setSectionsMovable(true);
    connect(this, &QWidget::customContextMenuRequested, this,
            [this](const QPoint& pos) { emit contextMenuAt(indexAt(pos), viewport()->mapToGlobal(pos)); });
}

} // namespace pidvisor::gui
