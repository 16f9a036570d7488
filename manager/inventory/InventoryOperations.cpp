// Inventory: the audit log of operations.
#include "Inventory.h"

#include "ProcessIdentity.h"

namespace pidvisor::manager {

namespace {

constexpr std::string_view kOperationSelect =
    "SELECT id, kind, target, started_at, ended_at, result, error_code, error_message, details_json, "
    "owner_pid, owner_token FROM operations ";

constexpr std::string_view kInterruptedMessage = "interrupted: the process running it ended";

OperationRecord readOperation(const Statement& row)
{
    OperationRecord operation;
    operation.id = row.columnInt64(0);
    operation.kind = row.columnText(1);
    operation.target = row.columnText(2);
    operation.startedAt = row.columnInt64(3);
    operation.endedAt = row.columnOptionalInt64(4);
    operation.result = operationOutcome(row.columnText(5));
    operation.errorCode = row.columnText(6);
    operation.errorMessage = row.columnText(7);
    operation.detailsJson = row.columnText(8);
    operation.ownerPid = row.columnOptionalInt64(9);
    return operation;
}

// A running operation and whether the process that owns it is gone.
std::pair<OperationRecord, bool> readRunningOperation(const Statement& row)
{
    OperationRecord operation = readOperation(row);
    bool orphaned = !ProcessIdentity::isRunning(operation.ownerPid.value_or(0), row.columnText(10));
    return {std::move(operation), orphaned};
}

std::string operationWithId(std::int64_t id)
{
    return "operation with id " + std::to_string(id);
}

} // namespace

Result<std::int64_t> Inventory::beginOperation(const std::string& kind, const std::string& target,
                                               const std::string& detailsJson)
{
    auto guard = lock();
    ProcessIdentity owner = ProcessIdentity::current();
    PV_TRY(Statement insert,
           m_db.prepare("recording operation " + kind + " " + target,
                        "INSERT INTO operations (kind, target, started_at, result, details_json, owner_pid, "
                        "owner_token) VALUES (:kind, :target, :started_at, 'running', :details_json, :owner_pid, "
                        ":owner_token)"));
    insert.bindText(":kind", kind)
        .bindText(":target", target)
        .bindInt64(":started_at", nowMillis())
        .bindText(":details_json", detailsJson)
        .bindInt64(":owner_pid", owner.pid())
        .bindText(":owner_token", owner.token());
    PV_TRY_STATUS(insert.run());
    return m_db.lastInsertRowId();
}

Status Inventory::endOperation(std::int64_t id, const Status& outcome, const std::string& detailsJson)
{
    OperationOutcome result = OperationOutcome::Ok;
    std::string code;
    std::string message;
    if (!outcome) {
        result = outcome.error().code == ErrorCode::Cancelled ? OperationOutcome::Cancelled : OperationOutcome::Error;
        code = errorCodeName(outcome.error().code);
        message = outcome.error().message;
    }
    auto guard = lock();
    std::string doing = "ending " + operationWithId(id);
    PV_TRY(Statement update, m_db.prepare(doing, "UPDATE operations SET ended_at = :now, result = :result, "
                                                 "error_code = :code, error_message = :message, "
                                                 "details_json = coalesce(:details, details_json) "
                                                 "WHERE id = :id AND result = 'running'"));
    update.bindInt64(":now", nowMillis())
        .bindText(":result", operationOutcomeText(result))
        .bindText(":code", code)
        .bindText(":message", message)
        .bindTextOrNull(":details", detailsJson)
        .bindInt64(":id", id);
    PV_TRY_STATUS(update.run());
    if (m_db.changes() != 0)
        return {};
    PV_TRY(Statement select, m_db.prepare(doing, "SELECT result FROM operations WHERE id = :id"));
    select.bindInt64(":id", id);
    PV_TRY(bool exists, select.step());
    if (!exists)
        return fail(ErrorCode::NotFound, "inventory: no " + operationWithId(id));
    return fail(ErrorCode::FailedPrecondition,
                "inventory: " + operationWithId(id) + " already ended (" + select.columnText(0) + ")");
}

Result<std::optional<OperationRecord>> Inventory::findOperation(std::int64_t id) const
{
    auto guard = lock();
    PV_TRY(Statement select,
           m_db.prepare("finding " + operationWithId(id), std::string(kOperationSelect) + "WHERE id = :id"));
    select.bindInt64(":id", id);
    return select.first(readOperation);
}

Result<std::vector<OperationRecord>> Inventory::operations(std::size_t limit) const
{
    auto guard = lock();
    PV_TRY(Statement select, m_db.prepare("listing operations", std::string(kOperationSelect) +
                                                                    "ORDER BY started_at DESC, id DESC LIMIT :limit"));
    select.bindInt64(":limit", static_cast<std::int64_t>(limit));
    return select.collect(readOperation);
}

Result<std::vector<OperationRecord>> Inventory::queryInterrupted() const
{
    PV_TRY(Statement select, m_db.prepare("listing interrupted operations",
                                          std::string(kOperationSelect) + "WHERE result = 'running' ORDER BY id"));
    PV_TRY(auto running, select.collect(readRunningOperation));
    std::vector<OperationRecord> orphans;
    for (auto& [operation, orphaned] : running)
        if (orphaned)
            orphans.push_back(std::move(operation));
    return orphans;
}

Result<std::vector<OperationRecord>> Inventory::interruptedOperations() const
{
    auto guard = lock();
    return queryInterrupted();
}

Result<std::vector<OperationRecord>> Inventory::markInterrupted()
{
    auto guard = lock();
    std::string doing = "marking interrupted operations";
    return m_db.transaction(doing, [&]() -> Result<std::vector<OperationRecord>> {
        PV_TRY(std::vector<OperationRecord> orphans, queryInterrupted());
        PV_TRY(Statement update, m_db.prepare(doing, "UPDATE operations SET ended_at = :now, result = 'error', "
                                                     "error_code = :code, error_message = :message "
                                                     "WHERE id = :id AND result = 'running'"));
        // Unavailable: the work did not fail on its merits, so the caller
        // may simply try again.
        std::string code(errorCodeName(ErrorCode::Unavailable));
        std::int64_t now = nowMillis();
        for (OperationRecord& operation : orphans) {
            update.reset();
            update.bindInt64(":now", now)
                .bindText(":code", code)
                .bindText(":message", kInterruptedMessage)
                .bindInt64(":id", operation.id);
            PV_TRY_STATUS(update.run());
            operation.endedAt = now;
            operation.result = OperationOutcome::Error;
            operation.errorCode = code;
            operation.errorMessage = kInterruptedMessage;
        }
        return orphans;
    });
}

} // namespace pidvisor::manager
