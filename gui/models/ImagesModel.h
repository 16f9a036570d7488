// ImagesModel: the host's container images as a table, from the snapshots'
// image list: name, digest, size of its files, size of its volume, when it
// was made, where it came from. Reset when the list changes (it is short).
#pragma once

#include "backend/Snapshot.h"

#include <QAbstractTableModel>

namespace pidvisor::gui {

class ImagesModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit ImagesModel(QObject* parent = nullptr);

    void setSnapshot(SnapshotPtr snapshot);
    [[nodiscard]] const manager::ContainerImageRecord* record(int row) const;
    [[nodiscard]] int rowOf(const QString& name) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    SnapshotPtr m_snapshot;
    const std::vector<manager::ContainerImageRecord>* m_rows = nullptr;
};

} // namespace pidvisor::gui
