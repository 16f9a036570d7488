// OperationsModel: the operations panel's table, one row per operation the
// GUI started, newest first: what, on which target, progress (stage and
// percent), elapsed time (ticking while it runs), and the result, with the
// whole error and the log path kept for the details view. Updated on the
// UI thread by OperationRunner's queued calls.
#pragma once

#include <QAbstractTableModel>
#include <QStringList>
#include <QTimer>

#include <optional>

namespace pidvisor::gui {

struct OperationEntry {
    enum class State { Running, Ok, Failed, Cancelled };
    int id = 0;
    QString kind, target, hostUri;
    qint64 startedAt = 0; // unix ms
    std::optional<qint64> endedAt;
    QString stage, detail;
    int percent = -1;
    State state = State::Running;
    QString summary;                 // the result in a phrase
    QString errorCode, errorMessage; // when it failed
    QString logPath;                 // where to look next
    bool cancellable = false, cancelRequested = false;
    QStringList stages; // every stage seen, in order
};

class OperationsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit OperationsModel(QObject* parent = nullptr);

    void add(OperationEntry entry);
    void setProgress(int id, const QString& stage, int percent, const QString& detail);
    void finish(int id, OperationEntry::State state, const QString& summary, const QString& errorCode,
                const QString& errorMessage);
    void markCancelRequested(int id);

    [[nodiscard]] const OperationEntry* entry(int row) const;
    [[nodiscard]] const OperationEntry* find(int id) const;
    [[nodiscard]] int rowOf(int id) const;
    [[nodiscard]] int runningCount() const;
    [[nodiscard]] static QString describe(const OperationEntry& e); // the full text for the details view
    [[nodiscard]] static QString kindName(const QString& kind);   // "vm.create" -> "Create VM"

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

signals:
    void runningCountChanged(int running);

private:
    void tick();
    void changed(int row);
    [[nodiscard]] QString resultText(const OperationEntry& e) const;

    std::vector<OperationEntry> m_entries; // newest first
    QTimer m_ticker;
};

} // namespace pidvisor::gui
