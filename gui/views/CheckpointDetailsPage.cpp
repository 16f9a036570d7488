#include "CheckpointDetailsPage.h"

#include "FormPage.h"

#include "models/Format.h"

#include <QHeaderView>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace pidvisor::gui {

using format::text;
using nlohmann::json;

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

QString scalar(const json& v)
{
    return v.is_string() ? QString::fromStdString(v.get<std::string>()) : QString::fromStdString(v.dump());
}

// {"1": 4242, ...} or [{"vpid": 1, "pid": 4242, ...}, ...]
std::vector<std::pair<QString, QString>> pidRows(const std::string& pidMapJson)
{
    std::vector<std::pair<QString, QString>> rows;
    json map = json::parse(pidMapJson, nullptr, false);
    if (map.is_object()) {
        for (auto it = map.begin(); it != map.end(); ++it)
            rows.emplace_back(QString::fromStdString(it.key()), scalar(it.value()));
        std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first.toLongLong() < b.first.toLongLong(); });
    } else if (map.is_array()) {
        for (const auto& e : map)
            if (e.is_object())
                rows.emplace_back(scalar(e.value("vpid", json())), scalar(e.value("pid", json())));
    }
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
    auto total = format::durationTotal(c.durationsJson);
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
    fill(m_pidMap, pidRows(c.pidMapJson));
    std::vector<std::pair<QString, QString>> phases;
    json d = json::parse(c.durationsJson, nullptr, false);
    if (d.is_object())
        for (auto it = d.begin(); it != d.end(); ++it) {
            QString key = QString::fromStdString(it.key());
            bool ms = key.endsWith("_ms") && it->is_number();
            phases.emplace_back(ms ? key.chopped(3).replace('_', ' ') : key,
                                ms ? format::millis(it->get<std::int64_t>()) : scalar(*it));
        }
    fill(m_durations, phases);
}

} // namespace pidvisor::gui
