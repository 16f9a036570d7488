// ChartsView: the inventory as pictures: checkpoint sizes and durations
// over time (sizes as points, durations as a line on their own axis), and
// the boot-to-ready time of the most recent VMs as bars. Redrawn only when
// the numbers behind them change.
#pragma once

#include "backend/Snapshot.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
QT_END_NAMESPACE

namespace pidvisor::gui {

class ChartsView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMaxVms = 12;

    explicit ChartsView(QWidget* parent = nullptr);

    void setSnapshot(const SnapshotPtr& snapshot);
    [[nodiscard]] QChart* checkpointChart() const;
    [[nodiscard]] QChart* bootChart() const;
    [[nodiscard]] int checkpointPoints() const { return m_checkpointPoints; }
    [[nodiscard]] int vmBars() const { return m_vmBars; }

private:
    void drawCheckpoints(const InventorySnapshot& s);
    void drawBoots(const InventorySnapshot& s);

    QChartView* m_checkpoints;
    QChartView* m_boots;
    QString m_checkpointKey, m_bootKey;
    int m_checkpointPoints = 0, m_vmBars = 0;
};

} // namespace pidvisor::gui
