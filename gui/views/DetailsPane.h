// DetailsPane: the right-hand side of the window: the details of whatever
// is selected (host, VM, container, process or checkpoint), redrawn from
// every new snapshot. Logs come from the backend on request; replies to
// older requests are ignored.
#pragma once

#include "Selection.h"

#include "backend/Snapshot.h"

#include <QStackedWidget>

class QLabel;

namespace pidvisor::gui {

class Backend;
class CheckpointDetailsPage;
class ContainerDetailsPage;
class FormPage;
class VmDetailsPage;

class DetailsPane : public QStackedWidget {
    Q_OBJECT
public:
    explicit DetailsPane(Backend* backend, QWidget* parent = nullptr);

    void setSnapshot(SnapshotPtr snapshot);
    void setSelection(const Selection& selection);
    [[nodiscard]] const Selection& selection() const { return m_selection; }
    [[nodiscard]] ContainerDetailsPage* containerPage() const { return m_container; }
    [[nodiscard]] CheckpointDetailsPage* checkpointPage() const { return m_checkpoint; }
    [[nodiscard]] VmDetailsPage* vmPage() const { return m_vm; }
    [[nodiscard]] FormPage* summaryPage() const { return m_summary; }

private:
    void render(bool fresh);
    bool renderHost();
    bool renderProcess();
    void requestConsole(const QString& uri, const QString& vm);
    void requestLogs(const QString& uri, const QString& vm, const QString& container);

    Backend* m_backend;
    SnapshotPtr m_snapshot;
    Selection m_selection;
    QLabel* m_empty;
    FormPage* m_summary;
    VmDetailsPage* m_vm;
    ContainerDetailsPage* m_container;
    CheckpointDetailsPage* m_checkpoint;
    quint64 m_nextRequest = 1, m_consoleRequest = 0, m_logsRequest = 0;
};

} // namespace pidvisor::gui
