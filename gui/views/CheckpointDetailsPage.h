// CheckpointDetailsPage: one checkpoint: where it came from, size, hash,
// status, kernel and CRIU versions, its pid map (virtual pid -> pid at
// checkpoint time) and how long each phase took.
#pragma once

#include "inventory/InventoryRecords.h"

#include <QWidget>

class QTableWidget;

namespace pidvisor::gui {

class FormPage;

class CheckpointDetailsPage : public QWidget {
    Q_OBJECT
public:
    explicit CheckpointDetailsPage(QWidget* parent = nullptr);

    void show(const manager::CheckpointRecord& checkpoint);
    [[nodiscard]] QTableWidget* pidMap() const { return m_pidMap; }

private:
    static void fill(QTableWidget* table, const std::vector<std::pair<QString, QString>>& rows);

    FormPage* m_summary;
    QTableWidget* m_pidMap;
    QTableWidget* m_durations;
};

} // namespace pidvisor::gui
