#include "CheckpointDetailsPage.h"

#include "FormPage.h"

#include "models/Format.h"

#include <QHeaderView>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace pidvisor::gui {

using format::text;

namespace {

QTableWidget* makeTable(const QStringList& headers)
{
    auto* t = new QTableWidget(0, static_cast<int>(headers.size()));
    t->setHorizontalHeaderLabels(headers);
    t->horizontalHeader()->setStretchLastSection(true);
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setAlternatingRowColors(true);
    return t;
}

std::vector<std::pair<QString, QString>> pidRows(const std::vector<manager::CheckpointProcess>& processes)
{
    std::vector<std::pair<QString, QString>> rows;
    for (const auto& p : processes)
        rows.emplace_back(QString::number(p.virtualPid), p.vmPid > 0 ? QString::number(p.vmPid) : QString());
    return rows;
}

std::vector<std::pair<QString, QString>> phaseRows(const manager::CheckpointDurations& d)
{
    std::vector<std::pair<QString, QString>> rows;
    auto phase = [&](const char* name, const std::optional<std::int64_t>& ms) {
        if (ms)
            rows.emplace_back(name, format::millis(*ms));
    };
    phase("dump", d.dumpMs);
    phase("hash", d.hashMs);
    phase("transfer", d.transferMs);
    phase("total", d.totalMs);
    if (d.transferBytes)
        rows.emplace_back("transferred", format::bytes(*d.transferBytes));
    for (const auto& stat : d.criu)
        rows.emplace_back("CRIU " + text(stat.name), QString::number(stat.value));
    return rows;
}

} // namespace

CheckpointDetailsPage::CheckpointDetailsPage(QWidget* parent) : QWidget(parent)
{
    m_summary = new FormPage;
    m_pidMap = makeTable({"Virtual pid", "Pid at checkpoint"});
    m_pidMap->setObjectName("pidMap");
    m_durations = makeTable({"Phase", "Time"});
    auto* tabs = new QTabWidget;
    tabs->addTab(m_summary, "Checkpoint");
    tabs->addTab(m_pidMap, "Pid map");
    tabs->addTab(m_durations, "Durations");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(tabs);
}

void CheckpointDetailsPage::fill(QTableWidget* table, const std::vector<std::pair<QString, QString>>& rows)
{
    table->setRowCount(static_cast<int>(rows.size()));
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
        table->setItem(r, 0, new QTableWidgetItem(rows[static_cast<std::size_t>(r)].first));
        table->setItem(r, 1, new QTableWidgetItem(rows[static_cast<std::size_t>(r)].second));
    }
}

void CheckpointDetailsPage::show(const manager::CheckpointRecord& c)
{
    m_summary->setTitle("Checkpoint " + text(c.id.substr(0, 12)),
                        text(c.containerName) + " from VM " + text(c.vmName) + (c.vmId ? "" : " (VM deleted)"));
    auto total = c.durations.total();
    m_summary->setRows({{"Id", text(c.id)},
                        {"Created", format::localTime(c.createdAt)},
                        {"Tag", text(c.tag)},
                        {"Status", text(c.status)},
                        {"Size", format::bytes(c.sizeBytes)},
                        {"SHA-256", text(c.sha256)},
                        {"Kernel", text(c.kernelRelease)},
                        {"CRIU", text(c.criuVersion)},
                        {"Took", total ? format::millis(*total) : QString()},
                        {"Stored in", text(c.path)}});
    fill(m_pidMap, pidRows(c.processes));
    fill(m_durations, phaseRows(c.durations));
}

} // namespace pidvisor::gui
