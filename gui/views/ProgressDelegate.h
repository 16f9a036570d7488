// ProgressDelegate: draws the operations table's progress column as a bar
// (busy when the percentage is unknown) with the current stage as text.
#pragma once

#include <QStyledItemDelegate>

namespace pidvisor::gui {

class ProgressDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace pidvisor::gui
