// CheckpointsModel: the checkpoint history as a table (newest first), from
// the snapshots' checkpoint list: when, which container of which VM, tag,
// size, total duration, status, kernel and CRIU versions, id. Rows are
// updated in place when the ids are unchanged, otherwise reset (the list
// is short and rarely changes).
#pragma once

#include "backend/Snapshot.h"

#include <QAbstractTableModel>

namespace pidvisor::gui {

class CheckpointsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit CheckpointsModel(QObject* parent = nullptr);

    void setSnapshot(SnapshotPtr snapshot);
    [[nodiscard]] const manager::CheckpointRecord* record(int row) const;
    [[nodiscard]] int rowOf(const QString& id) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    [[nodiscard]] QString text(const manager::CheckpointRecord& c, int column) const;
    [[nodiscard]] QVariant sortValue(const manager::CheckpointRecord& c, int column) const;

    SnapshotPtr m_snapshot;
    const std::vector<manager::CheckpointRecord>* m_rows = nullptr;
};

} // namespace pidvisor::gui
