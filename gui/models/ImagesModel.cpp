#include "ImagesModel.h"

#include "Format.h"
#include "ModelRoles.h"

namespace pidvisor::gui {

namespace Col = ImageColumn;

ImagesModel::ImagesModel(QObject* parent) : QAbstractTableModel(parent) {}

void ImagesModel::setSnapshot(SnapshotPtr snapshot)
{
    const auto* fresh = snapshot ? &snapshot->images : nullptr;
    if (m_rows && fresh && *m_rows == *fresh) {
        m_snapshot = std::move(snapshot); // same rows: keep the view (selection, scroll) as it is
        m_rows = fresh;
        return;
    }
    beginResetModel();
    m_snapshot = std::move(snapshot);
    m_rows = fresh;
    endResetModel();
}

const manager::ContainerImageRecord* ImagesModel::record(int row) const
{
    if (!m_rows || row < 0 || static_cast<std::size_t>(row) >= m_rows->size())
        return nullptr;
    return &(*m_rows)[static_cast<std::size_t>(row)];
}

int ImagesModel::rowOf(const QString& name) const
{
    for (int row = 0; row < rowCount(); ++row)
        if (QString::fromStdString(record(row)->info.name) == name)
            return row;
    return -1;
}

int ImagesModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_rows ? 0 : static_cast<int>(m_rows->size());
}

int ImagesModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : Col::Count;
}

QVariant ImagesModel::data(const QModelIndex& index, int role) const
{
    const manager::ContainerImageRecord* r = record(index.row());
    if (!r || index.parent().isValid())
        return {};
    const protocol::ImageInfo& i = r->info;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Col::Name: return format::text(i.name);
        case Col::Digest: return format::text(i.digest.substr(0, 19));
        case Col::Size: return format::bytes(i.size);
        case Col::Volume: return format::bytes(r->volumeBytes);
        case Col::Created: return format::localTime(r->createdAt);
        case Col::Source: return format::text(i.source);
        default: return {};
        }
    }
    if (role == SortRole) {
        switch (index.column()) {
        case Col::Size: return qlonglong(i.size);
        case Col::Volume: return qlonglong(r->volumeBytes);
        case Col::Created: return qlonglong(r->createdAt);
        default: return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::ToolTipRole)
        return format::text(i.digest + "\n" + r->volumeFile);
    if (role == Qt::TextAlignmentRole && (index.column() == Col::Size || index.column() == Col::Volume))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ImagesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char* names[] = {"Name", "Digest", "Size", "Volume", "Created", "Source"};
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 && section < Col::Count)
        return names[section];
    return {};
}

} // namespace pidvisor::gui
