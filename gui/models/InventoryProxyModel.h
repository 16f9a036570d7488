// InventoryProxyModel: sorting and the text filter of the inventory tree.
// Filtering is recursive (a VM stays when one of its processes matches)
// and keeps the children of a matching row; numbers sort as numbers and
// names naturally ("vm2" before "vm10").
#pragma once

#include <QSortFilterProxyModel>

namespace pidvisor::gui {

class InventoryProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit InventoryProxyModel(QObject* parent = nullptr);

    void setFilterText(const QString& text);

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;
};

} // namespace pidvisor::gui
