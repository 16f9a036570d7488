#include "TreeStateKeeper.h"

#include "models/ModelRoles.h"

#include <QHeaderView>
#include <QSettings>
#include <QTreeView>

namespace pidvisor::gui {

namespace {
constexpr auto kExpandedKey = "tree/expanded";
constexpr auto kHeaderKey = "tree/header";
} // namespace

TreeStateKeeper::TreeStateKeeper(QTreeView* view, QObject* parent) : QObject(parent), m_view(view)
{
    connect(view, &QTreeView::expanded, this, [this](const QModelIndex& i) { onExpanded(i, true); });
    connect(view, &QTreeView::collapsed, this, [this](const QModelIndex& i) { onExpanded(i, false); });
    QAbstractItemModel* model = view->model();
    connect(model, &QAbstractItemModel::modelReset, this, &TreeStateKeeper::applyAll);
    connect(model, &QAbstractItemModel::layoutChanged, this, &TreeStateKeeper::applyAll);
    connect(model, &QAbstractItemModel::rowsInserted, this, [this, model](const QModelIndex& under, int first, int last) {
        for (int row = first; row <= last; ++row)
            apply(model->index(row, 0, under));
    });
}

QString TreeStateKeeper::keyOf(const QModelIndex& index) const
{
    return index.data(PathRole).toStringList().join(QChar(0x1f));
}

void TreeStateKeeper::onExpanded(const QModelIndex& index, bool expanded)
{
    if (m_applying)
        return;
    QString key = keyOf(index);
    if (expanded)
        m_expanded.insert(key);
    else
        m_expanded.remove(key);
    m_haveSaved = true;
}

void TreeStateKeeper::apply(const QModelIndex& index)
{
    if (!index.isValid())
        return;
    int depth = 0;
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent())
        ++depth;
    bool open = m_haveSaved ? m_expanded.contains(keyOf(index)) : depth < m_defaultDepth;
    if (!open)
        return;
    m_applying = true;
    m_view->expand(index);
    m_applying = false;
    if (!m_haveSaved)
        m_expanded.insert(keyOf(index));
    QAbstractItemModel* model = m_view->model();
    for (int row = 0, n = model->rowCount(index); row < n; ++row)
        apply(model->index(row, 0, index));
}

void TreeStateKeeper::applyAll()
{
    QAbstractItemModel* model = m_view->model();
    for (int row = 0, n = model->rowCount(); row < n; ++row)
        apply(model->index(row, 0));
}

void TreeStateKeeper::restore(QSettings& settings)
{
    if (settings.contains(kExpandedKey)) {
        const QStringList list = settings.value(kExpandedKey).toStringList();
        m_expanded = QSet<QString>(list.begin(), list.end());
        m_haveSaved = true;
    }
    if (settings.contains(kHeaderKey))
        m_view->header()->restoreState(settings.value(kHeaderKey).toByteArray());
    applyAll();
}

void TreeStateKeeper::save(QSettings& settings) const
{
    settings.setValue(kExpandedKey, QStringList(m_expanded.begin(), m_expanded.end()));
    settings.setValue(kHeaderKey, m_view->header()->saveState());
}

} // namespace pidvisor::gui
