#include "InventoryProxyModel.h"

#include "ModelRoles.h"

namespace pidvisor::gui {

InventoryProxyModel::InventoryProxyModel(QObject* parent) : QSortFilterProxyModel(parent)
{
    setRecursiveFilteringEnabled(true);
    setAutoAcceptChildRows(true);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setFilterKeyColumn(-1);
    setSortRole(SortRole);
    setDynamicSortFilter(true);
}

void InventoryProxyModel::setFilterText(const QString& text)
{
    setFilterFixedString(text.trimmed());
}

namespace {

// "vm2" < "vm10": runs of digits compare as numbers, the rest without case.
int naturalCompare(const QString& a, const QString& b)
{
    qsizetype i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (a[i].isDigit() && b[j].isDigit()) {
            qsizetype si = i, sj = j;
            while (i < a.size() && a[i].isDigit())
                ++i;
            while (j < b.size() && b[j].isDigit())
                ++j;
            qulonglong x = a.mid(si, i - si).toULongLong(), y = b.mid(sj, j - sj).toULongLong();
            if (x != y)
                return x < y ? -1 : 1;
            continue;
        }
        QChar x = a[i].toCaseFolded(), y = b[j].toCaseFolded();
        if (x != y)
            return x < y ? -1 : 1;
        ++i, ++j;
    }
    return (a.size() - i) < (b.size() - j) ? -1 : (a.size() - i) > (b.size() - j) ? 1 : 0;
}

} // namespace

bool InventoryProxyModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    QVariant a = left.data(SortRole), b = right.data(SortRole);
    if (a.typeId() == QMetaType::LongLong && b.typeId() == QMetaType::LongLong)
        return a.toLongLong() < b.toLongLong();
    return naturalCompare(a.toString(), b.toString()) < 0;
}

} // namespace pidvisor::gui
