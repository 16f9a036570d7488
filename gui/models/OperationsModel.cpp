#include "OperationsModel.h"

#include "Format.h"
#include "ModelRoles.h"
#include "StateIcons.h"

#include <QDateTime>

namespace pidvisor::gui {

namespace {

format::Tone tone(OperationEntry::State state)
{
    switch (state) {
    case OperationEntry::State::Running: return format::Tone::Pending;
    case OperationEntry::State::Ok: return format::Tone::Good;
    case OperationEntry::State::Cancelled: return format::Tone::Idle;
    case OperationEntry::State::Failed: return format::Tone::Trouble;
    }
    return format::Tone::Pending;
}

} // namespace

namespace Col = OperationColumn;

OperationsModel::OperationsModel(QObject* parent) : QAbstractTableModel(parent)
{
    m_ticker.setInterval(500);
    connect(&m_ticker, &QTimer::timeout, this, &OperationsModel::tick);
}

void OperationsModel::add(OperationEntry entry)
{
    beginInsertRows({}, 0, 0);
    m_entries.insert(m_entries.begin(), std::move(entry));
    endInsertRows();
    if (!m_ticker.isActive())
        m_ticker.start();
    emit runningCountChanged(runningCount());
}

int OperationsModel::rowOf(int id) const
{
    for (std::size_t i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].id == id)
            return static_cast<int>(i);
    return -1;
}

const OperationEntry* OperationsModel::find(int id) const
{
    return entry(rowOf(id));
}

const OperationEntry* OperationsModel::entry(int row) const
{
    if (row < 0 || static_cast<std::size_t>(row) >= m_entries.size())
        return nullptr;
    return &m_entries[static_cast<std::size_t>(row)];
}

void OperationsModel::changed(int row)
{
    emit dataChanged(index(row, 0), index(row, Col::Count - 1));
}

void OperationsModel::setProgress(int id, const QString& stage, int percent, const QString& detail)
{
    int row = rowOf(id);
    if (row < 0)
        return;
    auto& e = m_entries[static_cast<std::size_t>(row)];
    if (e.stages.isEmpty() || e.stages.back() != stage)
        e.stages << stage;
    e.stage = stage;
    e.percent = percent;
    e.detail = detail;
    changed(row);
}

void OperationsModel::finish(int id, OperationEntry::State state, const QString& summary, const QString& errorCode,
                             const QString& errorMessage)
{
    int row = rowOf(id);
    if (row < 0)
        return;
    auto& e = m_entries[static_cast<std::size_t>(row)];
    e.state = state;
    e.endedAt = QDateTime::currentMSecsSinceEpoch();
    e.summary = summary;
    e.errorCode = errorCode;
    e.errorMessage = errorMessage;
    if (state == OperationEntry::State::Ok)
        e.percent = 100;
    changed(row);
    emit runningCountChanged(runningCount());
}

void OperationsModel::markCancelRequested(int id)
{
    int row = rowOf(id);
    if (row < 0)
        return;
    m_entries[static_cast<std::size_t>(row)].cancelRequested = true;
    changed(row);
}

int OperationsModel::runningCount() const
{
    return static_cast<int>(std::count_if(m_entries.begin(), m_entries.end(),
                                          [](const auto& e) { return e.state == OperationEntry::State::Running; }));
}

void OperationsModel::tick()
{
    bool any = false;
    for (std::size_t i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].state == OperationEntry::State::Running) {
            any = true;
            QModelIndex cell = index(static_cast<int>(i), Col::Elapsed);
            emit dataChanged(cell, cell, {Qt::DisplayRole});
        }
    if (!any)
        m_ticker.stop();
}

QString OperationsModel::kindName(const QString& kind)
{
    static const QHash<QString, QString> names{
        {"vm.create", "Create VM"},          {"vm.start", "Start VM"},
        {"vm.stop", "Stop VM"},              {"vm.destroy", "Destroy VM"},
        {"vm.rm", "Delete VM"},              {"container.create", "Create container"},
        {"container.exec", "Run command"},   {"container.stop", "Stop container"},
        {"container.kill", "Kill container"}, {"container.rm", "Delete container"},
        {"checkpoint.create", "Checkpoint"}, {"checkpoint.restore", "Restore"},
        {"container.migrate", "Migrate"},    {"checkpoint.verify", "Verify checkpoint"},
        {"checkpoint.rm", "Delete checkpoint"}, {"host.connect", "Connect"}};
    return names.value(kind, kind);
}

QString OperationsModel::resultText(const OperationEntry& e) const
{
    switch (e.state) {
    case OperationEntry::State::Running: return e.cancelRequested ? "cancelling…" : "running";
    case OperationEntry::State::Ok: return e.summary.isEmpty() ? "done" : e.summary;
    case OperationEntry::State::Cancelled: return "cancelled";
    case OperationEntry::State::Failed: return "failed: " + e.errorMessage;
    }
    return {};
}

QString OperationsModel::describe(const OperationEntry& e)
{
    QString out = kindName(e.kind) + " — " + e.target + "\n";
    if (!e.hostUri.isEmpty())
        out += "host: " + e.hostUri + "\n";
    out += "started: " + format::localTime(e.startedAt) + "\n";
    if (e.endedAt)
        out += "took: " + format::millis(*e.endedAt - e.startedAt) + "\n";
    if (!e.stages.isEmpty())
        out += "stages: " + e.stages.join(" → ") + "\n";
    if (e.state == OperationEntry::State::Ok && !e.summary.isEmpty())
        out += "result: " + e.summary + "\n";
    if (e.state == OperationEntry::State::Failed)
        out += "error (" + e.errorCode + "): " + e.errorMessage + "\n";
    if (e.state == OperationEntry::State::Cancelled)
        out += "cancelled: " + e.errorMessage + "\n";
    if (!e.logPath.isEmpty())
        out += "log: " + e.logPath + "\n";
    return out;
}

int OperationsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int OperationsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : Col::Count;
}

QVariant OperationsModel::data(const QModelIndex& index, int role) const
{
    const OperationEntry* e = entry(index.row());
    if (!e)
        return {};
    bool running = e->state == OperationEntry::State::Running;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Col::What: return kindName(e->kind);
        case Col::Target: return e->target;
        case Col::Progress:
            return running ? e->stage + (e->detail.isEmpty() ? "" : ": " + e->detail) : QString();
        case Col::Elapsed:
            return format::elapsed(e->endedAt.value_or(QDateTime::currentMSecsSinceEpoch()) - e->startedAt);
        case Col::Result: return resultText(*e);
        }
    }
    if (role == Qt::DecorationRole && index.column() == Col::Result) {
        return StateIcons::dot(tone(e->state));
    }
    if (role == Qt::ToolTipRole)
        return describe(*e);
    if (role == PercentRole)
        return running ? e->percent : 100;
    if (role == RunningRole)
        return running;
    if (role == OperationIdRole)
        return e->id;
    return {};
}

QVariant OperationsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const char* names[] = {"Operation", "Target", "Progress", "Elapsed", "Result"};
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 && section < Col::Count)
        return names[section];
    return {};
}

} // namespace pidvisor::gui
