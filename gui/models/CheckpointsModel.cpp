#include "CheckpointsModel.h"

#include "Format.h"
#include "ModelRoles.h"
#include "StateIcons.h"

namespace pidvisor::gui {

namespace Col = CheckpointColumn;
using format::text;

CheckpointsModel::CheckpointsModel(QObject* parent) : QAbstractTableModel(parent) {}

void CheckpointsModel::setSnapshot(SnapshotPtr snapshot)
{
    const auto* fresh = snapshot ? &snapshot->checkpoints : nullptr;
    bool sameIds = m_rows && fresh && m_rows->size() == fresh->size();
    for (std::size_t i = 0; sameIds && i < fresh->size(); ++i)
        sameIds = (*m_rows)[i].id == (*fresh)[i].id;
    if (!sameIds) {
        beginResetModel();
        m_snapshot = std::move(snapshot);
        m_rows = fresh;
        endResetModel();
        return;
    }
    std::vector<int> changed;
    for (std::size_t i = 0; i < fresh->size(); ++i)
        if (!((*m_rows)[i] == (*fresh)[i]))
            changed.push_back(static_cast<int>(i));
    m_snapshot = std::move(snapshot);
    m_rows = fresh;
    for (int row : changed)
        emit dataChanged(index(row, 0), index(row, Col::Count - 1));
}

const manager::CheckpointRecord* CheckpointsModel::record(int row) const
{
    if (!m_rows || row < 0 || static_cast<std::size_t>(row) >= m_rows->size())
        return nullptr;
    return &(*m_rows)[static_cast<std::size_t>(row)];
}

int CheckpointsModel::rowOf(const QString& id) const
{
    for (int row = 0; row < rowCount(); ++row)
        if (QString::fromStdString(record(row)->id) == id)
            return row;
    return -1;
}

int CheckpointsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_rows ? 0 : static_cast<int>(m_rows->size());
}

int CheckpointsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : Col::Count;
}

QString CheckpointsModel::text(const manager::CheckpointRecord& c, int column) const
{
    switch (column) {
    case Col::Created: return format::localTime(c.createdAt);
    case Col::Container: return format::text(c.containerName);
    case Col::Vm: return format::text(c.vmName) + (c.vmId ? "" : " (deleted)");
    case Col::Tag: return format::text(c.tag);
    case Col::Size: return format::bytes(c.sizeBytes);
    case Col::Duration: {
        auto total = c.durations.total();
        return total ? format::millis(*total) : QString();
    }
    case Col::Status: return format::text(c.status);
    case Col::Kernel: return format::text(c.kernelRelease);
    case Col::Criu: return format::text(c.criuVersion);
    case Col::Id: return format::text(c.id.substr(0, 12));
    default: return {};
    }
}

QVariant CheckpointsModel::sortValue(const manager::CheckpointRecord& c, int column) const
{
    switch (column) {
    case Col::Created: return qlonglong(c.createdAt);
    case Col::Size: return qlonglong(c.sizeBytes);
    case Col::Duration: return qlonglong(c.durations.total().value_or(-1));
    default: return text(c, column);
    }
}

QVariant CheckpointsModel::data(const QModelIndex& index, int role) const
{
    const manager::CheckpointRecord* c = record(index.row());
    if (!c || index.parent().isValid())
        return {};
    switch (role) {
    case Qt::DisplayRole: return text(*c, index.column());
    case SortRole: return sortValue(*c, index.column());
    case CheckpointIdRole: return QString::fromStdString(c->id);
    case Qt::ToolTipRole: return format::text(c->id + "\n" + c->path);
    case Qt::DecorationRole:
        if (index.column() == Col::Status)
            return StateIcons::dot(format::checkpointTone(c->status));
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Col::Size || index.column() == Col::Duration
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant();
    default: return {};
    }
}

QVariant CheckpointsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char* names[] = {"Created", "Container", "VM", "Tag", "Size", "Duration", "Status", "Kernel", "CRIU",
                                  "ID"};
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 && section < Col::Count)
        return names[section];
    return {};
}

} // namespace pidvisor::gui
