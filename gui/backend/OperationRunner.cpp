#include "OperationRunner.h"

#include <QDateTime>

namespace pidvisor::gui {

using namespace pidvisor::manager;

OperationRunner::OperationRunner(OperationsModel* model, SessionLookup sessions, QObject* parent)
    : QObject(parent), m_model(model), m_sessions(std::move(sessions))
{
    // Several VMs may boot at once; more wait their turn.
    m_pool.setMaxThreadCount(6);
    m_pool.setExpiryTimeout(30000);
}

OperationRunner::~OperationRunner()
{
    cancelAll();
    m_pool.waitForDone();
}

int OperationRunner::submit(OperationSpec spec)
{
    int id = m_nextId++;
    OperationEntry entry;
    entry.id = id;
    entry.kind = spec.kind;
    entry.target = spec.target;
    entry.hostUri = spec.hostUri;
    entry.startedAt = QDateTime::currentMSecsSinceEpoch();
    entry.stage = "waiting";
    entry.cancellable = spec.cancellable;
    entry.logPath = spec.logPath;
    m_model->add(entry);
    auto flag = std::make_shared<std::atomic<bool>>(false);
    m_cancelFlags[id] = flag;
    emit started(id);
    m_pool.start([this, id, spec = std::move(spec), flag]() mutable { execute(id, spec, flag); });
    return id;
}

bool OperationRunner::cancel(int id)
{
    const OperationEntry* e = m_model->find(id);
    auto it = m_cancelFlags.find(id);
    if (!e || !e->cancellable || it == m_cancelFlags.end())
        return false;
    it->second->store(true);
    m_model->markCancelRequested(id);
    return true;
}

void OperationRunner::cancelAll()
{
    for (auto& [id, flag] : m_cancelFlags) {
        const OperationEntry* e = m_model->find(id);
        if (e && e->cancellable)
            flag->store(true);
    }
}

void OperationRunner::waitForDone()
{
    m_pool.waitForDone();
}

void OperationRunner::execute(int id, const OperationSpec& spec, std::shared_ptr<std::atomic<bool>> cancel)
{
    OperationContext ctx;
    ctx.cancel = std::move(cancel);
    ctx.progress = [this, id](const Progress& p) {
        QString stage = QString::fromStdString(p.stage), detail = QString::fromStdString(p.detail);
        int percent = p.percent;
        QMetaObject::invokeMethod(
            this, [this, id, stage, detail, percent] { m_model->setProgress(id, stage, percent, detail); },
            Qt::QueuedConnection);
    };
    Result<OperationResult> result = fail(ErrorCode::Internal, "the operation did not run");
    if (!spec.hostUri.isEmpty()) {
        ctx.session = m_sessions ? m_sessions(spec.hostUri.toStdString()) : nullptr;
        if (!ctx.session)
            result = fail(ErrorCode::Unavailable, "not connected to " + spec.hostUri.toStdString());
    }
    if (spec.hostUri.isEmpty() || ctx.session) {
        std::vector<manager::AgentLeases::Lease> leases;
        if (ctx.session) {
            for (const auto& vm : spec.exclusiveVms)
                leases.push_back(ctx.session->leases().acquire(vm, true));
            for (const auto& vm : spec.sharedVms)
                leases.push_back(ctx.session->leases().acquire(vm, false));
        }
        ctx.progress(Progress{"running", -1, {}});
        try {
            result = spec.body(ctx);
        } catch (const std::exception& e) {
            result = fail(ErrorCode::Internal, std::string("unexpected exception: ") + e.what());
        }
    }
    QMetaObject::invokeMethod(
        this, [this, id, spec, result] { complete(id, spec, result); }, Qt::QueuedConnection);
}

void OperationRunner::complete(int id, const OperationSpec& spec, const Result<OperationResult>& result)
{
    m_cancelFlags.erase(id);
    if (result) {
        m_model->finish(id, OperationEntry::State::Ok, result->summary, {}, {});
        if (spec.onSuccess)
            spec.onSuccess(*result);
    } else {
        const Error& e = result.error();
        auto state = e.code == ErrorCode::Cancelled ? OperationEntry::State::Cancelled : OperationEntry::State::Failed;
        m_model->finish(id, state, {}, QString::fromUtf8(errorCodeName(e.code).data(), static_cast<qsizetype>(errorCodeName(e.code).size())),
                        QString::fromStdString(e.message));
        if (spec.onFailure)
            spec.onFailure(e);
    }
    emit finished(id, result.has_value());
}

} // namespace pidvisor::gui
