// OperationRunner: runs OperationSpecs on a thread pool, never on the UI
// thread, and reports them in the OperationsModel: added when submitted,
// progress as the manager reports it (queued back to the UI thread),
// result or full error when done. Cancelling sets the operation's
// CancelFlag where the spec says that is safe. Destroying the runner
// cancels what it can and waits for the rest.
#pragma once

#include "OperationSpec.h"

#include "models/OperationsModel.h"

#include <QObject>
#include <QThreadPool>

#include <map>

namespace pidvisor::gui {

class OperationRunner : public QObject {
    Q_OBJECT
public:
    using SessionLookup = std::function<std::shared_ptr<manager::Host>(const std::string& uri)>;

    OperationRunner(OperationsModel* model, SessionLookup sessions, QObject* parent = nullptr);
    ~OperationRunner() override;

    int submit(OperationSpec spec);
    [[nodiscard]] bool cancel(int id); // false when it cannot be cancelled
    void cancelAll();
    void waitForDone();
    [[nodiscard]] OperationsModel* model() const { return m_model; }

signals:
    void started(int id);
    void finished(int id, bool ok);

private:
    void execute(int id, const OperationSpec& spec, std::shared_ptr<std::atomic<bool>> cancel);
    void complete(int id, const OperationSpec& spec, const Result<OperationResult>& result);

    OperationsModel* m_model;
    SessionLookup m_sessions;
    QThreadPool m_pool;
    int m_nextId = 1;
    std::map<int, std::shared_ptr<std::atomic<bool>>> m_cancelFlags;
};

} // namespace pidvisor::gui
