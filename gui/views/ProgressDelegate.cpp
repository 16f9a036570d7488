#include "ProgressDelegate.h"

#include "models/ModelRoles.h"

#include <QApplication>
#include <QPainter>

namespace pidvisor::gui {

void ProgressDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    if (!index.data(RunningRole).toBool()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionProgressBar bar;
    bar.rect = option.rect.adjusted(2, 3, -2, -3);
    bar.state = option.state | QStyle::State_Horizontal;
    bar.minimum = 0;
    int percent = index.data(PercentRole).toInt();
    // Unknown progress: a full bar with the stage text reads better than a
    // frozen "busy" indicator in a table.
    bar.maximum = 100;
    bar.progress = percent >= 0 ? percent : 100;
    bar.text = index.data(Qt::DisplayRole).toString();
    if (percent >= 0)
        bar.text = QString("%1% %2").arg(percent).arg(bar.text);
    bar.textVisible = true;
    bar.textAlignment = Qt::AlignCenter;
    if (percent < 0)
        bar.palette.setColor(QPalette::Highlight, QColor(0x9f, 0xc5, 0xe8));
    QApplication::style()->drawControl(QStyle::CE_ProgressBar, &bar, painter);
}

} // namespace pidvisor::gui
