#include "InventoryModel.h"

#include "InventoryText.h"
#include "StateIcons.h"

#include <QBrush>
#include <QFont>

#include <unordered_map>

namespace pidvisor::gui {

InventoryModel::InventoryModel(QObject* parent) : QAbstractItemModel(parent) {}

InventoryModel::~InventoryModel() = default;

std::vector<ChildRef> InventoryModel::childrenOf(const InventoryNode& n) const
{
    std::vector<ChildRef> out;
    switch (n.kind) {
    case NodeKind::Root:
        if (m_snapshot) {
            out.reserve(m_snapshot->hosts.size());
            for (const auto& h : m_snapshot->hosts)
                out.push_back({NodeKind::Host, h.record.uri, &h});
        }
        break;
    case NodeKind::Host:
        out.reserve(n.host().vms.size());
        for (const auto& v : n.host().vms)
            out.push_back({NodeKind::Vm, std::to_string(v.record.id) + ":" + v.record.name, &v});
        break;
    case NodeKind::Vm:
        out.reserve(n.vm().containers.size());
        for (const auto& c : n.vm().containers)
            out.push_back({NodeKind::Container, c.record.name, &c});
        break;
    case NodeKind::Container:
        out.reserve(n.container().processes.size());
        for (const auto& p : n.container().processes)
            out.push_back({NodeKind::Process, std::to_string(p.vpid), &p});
        break;
    case NodeKind::Process: break;
    }
    return out;
}

std::unique_ptr<InventoryNode> InventoryModel::build(const ChildRef& ref, InventoryNode* parent, int row) const
{
    auto node = std::make_unique<InventoryNode>();
    node->kind = ref.kind;
    node->key = ref.key;
    node->parent = parent;
    node->row = row;
    node->data = ref.data;
    auto kids = childrenOf(*node);
    node->children.reserve(kids.size());
    for (std::size_t i = 0; i < kids.size(); ++i)
        node->children.push_back(build(kids[i], node.get(), static_cast<int>(i)));
    return node;
}

void InventoryModel::setSnapshot(SnapshotPtr snapshot)
{
    // The old snapshot stays alive until the diff is done: nodes point into it.
    SnapshotPtr old = std::move(m_snapshot);
    m_snapshot = std::move(snapshot);
    m_stats = {};
    if (m_root.children.empty() || !m_snapshot) {
        beginResetModel();
        m_root.children.clear();
        auto kids = childrenOf(m_root);
        for (std::size_t i = 0; i < kids.size(); ++i)
            m_root.children.push_back(build(kids[i], &m_root, static_cast<int>(i)));
        endResetModel();
        m_stats.reset = true;
        return;
    }
    syncChildren(&m_root, {});
}

void InventoryModel::syncChildren(InventoryNode* node, const QModelIndex& index)
{
    std::vector<ChildRef> fresh = childrenOf(*node);
    auto& kids = node->children;
    bool sameKeys = kids.size() == fresh.size();
    for (std::size_t i = 0; sameKeys && i < kids.size(); ++i)
        sameKeys = kids[i]->key == fresh[i].key;
    if (!sameKeys)
        restructure(node, index, fresh);
    for (std::size_t i = 0; i < kids.size(); ++i)
        update(kids[i].get(), fresh[i], index);
}

void InventoryModel::removeRun(InventoryNode* node, const QModelIndex& index, int first, int last)
{
    beginRemoveRows(index, first, last);
    node->children.erase(node->children.begin() + first, node->children.begin() + last + 1);
    for (std::size_t i = static_cast<std::size_t>(first); i < node->children.size(); ++i)
        node->children[i]->row = static_cast<int>(i);
    endRemoveRows();
    m_stats.removed += last - first + 1;
}

void InventoryModel::restructure(InventoryNode* node, const QModelIndex& index, const std::vector<ChildRef>& fresh)
{
    auto& kids = node->children;
    std::unordered_map<std::string, std::size_t> position;
    position.reserve(fresh.size());
    for (std::size_t i = 0; i < fresh.size(); ++i)
        position.emplace(fresh[i].key, i);
    // 1. Rows that are gone, in runs from the end.
    for (int i = static_cast<int>(kids.size()) - 1; i >= 0;) {
        if (position.count(kids[static_cast<std::size_t>(i)]->key)) {
            --i;
            continue;
        }
        int last = i;
        while (i >= 0 && !position.count(kids[static_cast<std::size_t>(i)]->key))
            --i;
        removeRun(node, index, i + 1, last);
    }
    // 2. Rows that stayed but moved: rare (a rename); start this level over.
    for (std::size_t i = 1; i < kids.size(); ++i)
        if (position[kids[i - 1]->key] > position[kids[i]->key]) {
            removeRun(node, index, 0, static_cast<int>(kids.size()) - 1);
            break;
        }
    // 3. New rows, in runs.
    std::size_t j = 0;
    for (std::size_t i = 0; i < fresh.size();) {
        if (j < kids.size() && kids[j]->key == fresh[i].key) {
            ++i, ++j;
            continue;
        }
        std::size_t start = i;
        while (i < fresh.size() && !(j < kids.size() && kids[j]->key == fresh[i].key))
            ++i;
        int first = static_cast<int>(j), count = static_cast<int>(i - start);
        beginInsertRows(index, first, first + count - 1);
        std::vector<std::unique_ptr<InventoryNode>> made;
        for (std::size_t k = start; k < i; ++k)
            made.push_back(build(fresh[k], node, 0));
        kids.insert(kids.begin() + first, std::make_move_iterator(made.begin()), std::make_move_iterator(made.end()));
        for (std::size_t k = static_cast<std::size_t>(first); k < kids.size(); ++k)
            kids[k]->row = static_cast<int>(k);
        endInsertRows();
        m_stats.inserted += count;
        j += static_cast<std::size_t>(count);
    }
}

void InventoryModel::update(InventoryNode* node, const ChildRef& ref, const QModelIndex& parentIndex)
{
    if (node->data == ref.data)
        return; // built from this very snapshot just now
    bool same = InventoryText::sameRow(node->kind, node->data, ref.data);
    node->data = ref.data;
    if (!same) {
        emit dataChanged(index(node->row, 0, parentIndex), index(node->row, InventoryColumn::Count - 1, parentIndex));
        ++m_stats.changed;
    }
    if (node->kind != NodeKind::Process)
        syncChildren(node, index(node->row, 0, parentIndex));
}

const InventoryNode* InventoryModel::node(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<const InventoryNode*>(index.internalPointer()) : &m_root;
}

QModelIndex InventoryModel::indexOf(const InventoryNode* n) const
{
    if (!n || n == &m_root)
        return {};
    return createIndex(n->row, 0, const_cast<InventoryNode*>(n));
}

QModelIndex InventoryModel::index(int row, int column, const QModelIndex& parent) const
{
    const InventoryNode* p = node(parent);
    if (row < 0 || column < 0 || column >= InventoryColumn::Count || static_cast<std::size_t>(row) >= p->children.size())
        return {};
    return createIndex(row, column, p->children[static_cast<std::size_t>(row)].get());
}

QModelIndex InventoryModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    return indexOf(node(child)->parent);
}

int InventoryModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return 0;
    return static_cast<int>(node(parent)->children.size());
}

int InventoryModel::columnCount(const QModelIndex&) const
{
    return InventoryColumn::Count;
}

QString InventoryModel::nodeName(const InventoryNode& n)
{
    switch (n.kind) {
    case NodeKind::Host: return QString::fromStdString(n.host().record.uri);
    case NodeKind::Vm: return QString::fromStdString(n.vm().record.name);
    case NodeKind::Container: return QString::fromStdString(n.container().record.name);
    case NodeKind::Process: return QString::number(n.process().vpid);
    case NodeKind::Root: return {};
    }
    return {};
}

QStringList InventoryModel::pathOf(const InventoryNode& n)
{
    QStringList path;
    for (const InventoryNode* p = &n; p && p->kind != NodeKind::Root; p = p->parent)
        path.prepend(nodeName(*p));
    return path;
}

QVariant InventoryModel::pathValue(const InventoryNode& n, int role)
{
    QStringList path = pathOf(n);
    int depth = role - HostUriRole; // HostUriRole, VmNameRole, ContainerNameRole, VpidRole in order
    if (role == PathRole)
        return path;
    if (depth >= 0 && depth < path.size())
        return role == VpidRole ? QVariant(path[depth].toLongLong()) : QVariant(path[depth]);
    return {};
}

QVariant InventoryModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const InventoryNode& n = *node(index);
    switch (role) {
    case Qt::DisplayRole: return InventoryText::display(n, index.column());
    case SortRole: return InventoryText::sortValue(n, index.column());
    case Qt::ToolTipRole: return InventoryText::toolTip(n);
    case KindRole: return static_cast<int>(n.kind);
    case Qt::DecorationRole:
        if (index.column() == InventoryColumn::Name)
            return StateIcons::icon(n.kind, InventoryText::tone(n));
        return {};
    case Qt::ForegroundRole:
        if (InventoryText::dimmed(n))
            return QBrush(QColor(0x80, 0x86, 0x8f));
        return {};
    case Qt::FontRole:
        if (n.kind == NodeKind::Host && index.column() == InventoryColumn::Name) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case GlobalPidRole:
        return n.kind == NodeKind::Process ? QVariant(qlonglong(n.process().pid)) : QVariant();
    case PathRole:
    case HostUriRole:
    case VmNameRole:
    case ContainerNameRole:
    case VpidRole: return pathValue(n, role);
    default: return {};
    }
}

QVariant InventoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole)
        return InventoryText::header(section);
    return {};
}

QModelIndex InventoryModel::indexForPath(const QStringList& path) const
{
    const InventoryNode* n = &m_root;
    for (const QString& part : path) {
        const InventoryNode* next = nullptr;
        for (const auto& child : n->children) {
            if (nodeName(*child) == part) {
                next = child.get();
                break;
            }
        }
        if (!next)
            return {};
        n = next;
    }
    return indexOf(n);
}

} // namespace pidvisor::gui
