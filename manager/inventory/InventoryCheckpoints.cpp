// Inventory: checkpoints in the host's store.
#include "Inventory.h"

#include "protocol/Names.h"

#include <map>
#include <set>

namespace pidvisor::manager {

using protocol::quoteForMessage;

namespace {

constexpr std::string_view kCheckpointSelect =
    "SELECT id, vm_id, vm_name, container_name, tag, created_at, path, size_bytes, sha256, kernel_release, "
    "criu_version, status, dump_ms, hash_ms, transfer_ms, total_ms, transfer_bytes FROM checkpoints ";

constexpr std::string_view kNewestFirst = " ORDER BY created_at DESC, id";

CheckpointRecord readCheckpoint(const Statement& row)
{
    CheckpointRecord checkpoint;
    checkpoint.id = row.columnText(0);
    checkpoint.vmId = row.columnOptionalInt64(1);
    checkpoint.vmName = row.columnText(2);
    checkpoint.containerName = row.columnText(3);
    checkpoint.tag = row.columnText(4);
    checkpoint.createdAt = row.columnInt64(5);
    checkpoint.path = row.columnText(6);
    checkpoint.sizeBytes = row.columnInt64(7);
    checkpoint.sha256 = row.columnText(8);
    checkpoint.kernelRelease = row.columnText(9);
    checkpoint.criuVersion = row.columnText(10);
    checkpoint.status = row.columnText(11);
    checkpoint.durations.dumpMs = row.columnOptionalInt64(12);
    checkpoint.durations.hashMs = row.columnOptionalInt64(13);
    checkpoint.durations.transferMs = row.columnOptionalInt64(14);
    checkpoint.durations.totalMs = row.columnOptionalInt64(15);
    checkpoint.durations.transferBytes = row.columnOptionalInt64(16);
    return checkpoint;
}

void bindCheckpoint(Statement& statement, const CheckpointRecord& checkpoint)
{
    const CheckpointDurations& d = checkpoint.durations;
    statement.bindText(":id", checkpoint.id)
        .bindOptionalInt64(":vm_id", checkpoint.vmId)
        .bindText(":vm_name", checkpoint.vmName)
        .bindText(":container_name", checkpoint.containerName)
        .bindText(":tag", checkpoint.tag)
        .bindText(":path", checkpoint.path)
        .bindInt64(":size_bytes", checkpoint.sizeBytes)
        .bindText(":sha256", checkpoint.sha256)
        .bindText(":kernel_release", checkpoint.kernelRelease)
        .bindText(":criu_version", checkpoint.criuVersion)
        .bindText(":status", checkpoint.status)
        .bindOptionalInt64(":dump_ms", d.dumpMs)
        .bindOptionalInt64(":hash_ms", d.hashMs)
        .bindOptionalInt64(":transfer_ms", d.transferMs)
        .bindOptionalInt64(":total_ms", d.totalMs)
        .bindOptionalInt64(":transfer_bytes", d.transferBytes);
}

std::string describeCheckpoint(const std::string& id)
{
    return "checkpoint " + quoteForMessage(id);
}

// Refuses what the tables would refuse, with a message that names it,
// before anything is written.
Status validateCheckpoint(const CheckpointRecord& checkpoint)
{
    std::string what = "inventory: " + describeCheckpoint(checkpoint.id);
    std::set<std::int64_t> pids;
    for (const CheckpointProcess& p : checkpoint.processes) {
        if (p.virtualPid <= 0)
            return fail(ErrorCode::InvalidArgument,
                        what + " has virtual pid " + std::to_string(p.virtualPid) + " (must be positive)");
        if (!pids.insert(p.virtualPid).second)
            return fail(ErrorCode::InvalidArgument,
                        what + " lists virtual pid " + std::to_string(p.virtualPid) + " twice");
        if (p.virtualParentPid < 0 || p.processGroup < 0 || p.session < 0 || p.threads < 0 || p.vmPid < 0)
            return fail(ErrorCode::InvalidArgument,
                        what + ": process " + std::to_string(p.virtualPid) + " has a negative number");
    }
    const CheckpointDurations& d = checkpoint.durations;
    for (const auto& value : {d.dumpMs, d.hashMs, d.transferMs, d.totalMs, d.transferBytes})
        if (value && *value < 0)
            return fail(ErrorCode::InvalidArgument, what + " has a negative duration");
    std::set<std::string> names;
    for (const CriuStat& stat : d.criu) {
        if (stat.name.empty())
            return fail(ErrorCode::InvalidArgument, what + " has a CRIU statistic without a name");
        if (!names.insert(stat.name).second)
            return fail(ErrorCode::InvalidArgument,
                        what + " lists the CRIU statistic " + quoteForMessage(stat.name) + " twice");
    }
    return {};
}

// The child rows of one checkpoint, replacing any it had.
Status writeDetails(const Database& db, const std::string& doing, const CheckpointRecord& checkpoint)
{
    for (const char* table : {"checkpoint_pids", "checkpoint_criu_stats"}) {
        PV_TRY(Statement remove,
               db.prepare(doing, "DELETE FROM " + std::string(table) + " WHERE checkpoint_id = :id"));
        remove.bindText(":id", checkpoint.id);
        PV_TRY_STATUS(remove.run());
    }
    PV_TRY(Statement pid, db.prepare(doing, "INSERT INTO checkpoint_pids (checkpoint_id, virtual_pid, virtual_ppid, "
                                            "pgid, sid, threads, vm_pid, command) VALUES (:id, :vpid, :vppid, "
                                            ":pgid, :sid, :threads, :vm_pid, :command)"));
    for (const CheckpointProcess& p : checkpoint.processes) {
        pid.reset();
        pid.bindText(":id", checkpoint.id)
            .bindInt64(":vpid", p.virtualPid)
            .bindInt64(":vppid", p.virtualParentPid)
            .bindInt64(":pgid", p.processGroup)
            .bindInt64(":sid", p.session)
            .bindInt64(":threads", p.threads)
            .bindInt64(":vm_pid", p.vmPid)
            .bindText(":command", p.command);
        PV_TRY_STATUS(pid.run());
    }
    PV_TRY(Statement stat, db.prepare(doing, "INSERT INTO checkpoint_criu_stats (checkpoint_id, name, value) "
                                             "VALUES (:id, :name, :value)"));
    for (const CriuStat& s : checkpoint.durations.criu) {
        stat.reset();
        stat.bindText(":id", checkpoint.id).bindText(":name", s.name).bindInt64(":value", s.value);
        PV_TRY_STATUS(stat.run());
    }
    return {};
}

// Fills the processes and CRIU statistics of `rows`, which the query
// `filter` (a WHERE clause on checkpoint_id, bound by `bind`) selected.
template <class Bind>
Status readDetails(const Database& db, const std::string& doing, std::vector<CheckpointRecord>& rows,
                   std::string_view filter, Bind bind)
{
    if (rows.empty())
        return {};
    std::map<std::string, CheckpointRecord*, std::less<>> byId;
    for (CheckpointRecord& row : rows)
        byId[row.id] = &row;
    PV_TRY(Statement pids, db.prepare(doing, "SELECT checkpoint_id, virtual_pid, virtual_ppid, pgid, sid, threads, "
                                             "vm_pid, command FROM checkpoint_pids " +
                                                 std::string(filter) + " ORDER BY checkpoint_id, virtual_pid"));
    bind(pids);
    for (;;) {
        PV_TRY(bool more, pids.step());
        if (!more)
            break;
        auto it = byId.find(pids.columnText(0));
        if (it == byId.end())
            continue;
        it->second->processes.push_back({pids.columnInt64(1), pids.columnInt64(2), pids.columnInt64(3),
                                         pids.columnInt64(4), pids.columnInt64(5), pids.columnInt64(6),
                                         pids.columnText(7)});
    }
    PV_TRY(Statement stats, db.prepare(doing, "SELECT checkpoint_id, name, value FROM checkpoint_criu_stats " +
                                                  std::string(filter) + " ORDER BY checkpoint_id, name"));
    bind(stats);
    for (;;) {
        PV_TRY(bool more, stats.step());
        if (!more)
            break;
        auto it = byId.find(stats.columnText(0));
        if (it != byId.end())
            it->second->durations.criu.push_back({stats.columnText(1), stats.columnInt64(2)});
    }
    return {};
}

} // namespace

Status Inventory::insertCheckpoint(const CheckpointRecord& checkpoint)
{
    PV_TRY_STATUS(validateCheckpoint(checkpoint));
    auto guard = lock();
    std::string doing = "inserting " + describeCheckpoint(checkpoint.id);
    return m_db.transaction(doing, [&]() -> Status {
        PV_TRY(Statement insert,
               m_db.prepare(doing, "INSERT INTO checkpoints (id, vm_id, vm_name, container_name, tag, created_at, "
                                   "path, size_bytes, sha256, kernel_release, criu_version, status, dump_ms, "
                                   "hash_ms, transfer_ms, total_ms, transfer_bytes) VALUES (:id, :vm_id, :vm_name, "
                                   ":container_name, :tag, :created_at, :path, :size_bytes, :sha256, "
                                   ":kernel_release, :criu_version, :status, :dump_ms, :hash_ms, :transfer_ms, "
                                   ":total_ms, :transfer_bytes)"));
        bindCheckpoint(insert, checkpoint);
        insert.bindInt64(":created_at", checkpoint.createdAt != 0 ? checkpoint.createdAt : nowMillis());
        PV_TRY_STATUS(insert.run());
        return writeDetails(m_db, doing, checkpoint);
    });
}

Status Inventory::updateCheckpoint(const CheckpointRecord& checkpoint)
{
    PV_TRY_STATUS(validateCheckpoint(checkpoint));
    auto guard = lock();
    std::string what = describeCheckpoint(checkpoint.id);
    std::string doing = "updating " + what;
    return m_db.transaction(doing, [&]() -> Status {
        PV_TRY(Statement update,
               m_db.prepare(doing, "UPDATE checkpoints SET vm_id = :vm_id, vm_name = :vm_name, "
                                   "container_name = :container_name, tag = :tag, created_at = :created_at, "
                                   "path = :path, size_bytes = :size_bytes, sha256 = :sha256, "
                                   "kernel_release = :kernel_release, criu_version = :criu_version, "
                                   "status = :status, dump_ms = :dump_ms, hash_ms = :hash_ms, "
                                   "transfer_ms = :transfer_ms, total_ms = :total_ms, "
                                   "transfer_bytes = :transfer_bytes WHERE id = :id"));
        bindCheckpoint(update, checkpoint);
        update.bindInt64(":created_at", checkpoint.createdAt);
        PV_TRY_STATUS(update.run());
        PV_TRY_STATUS(requireChanged(what));
        return writeDetails(m_db, doing, checkpoint);
    });
}

Result<std::optional<CheckpointRecord>> Inventory::findCheckpoint(const std::string& idOrPrefix) const
{
    if (idOrPrefix.empty())
        return fail(ErrorCode::InvalidArgument, "checkpoint id is empty");
    auto guard = lock();
    std::string doing = "finding " + describeCheckpoint(idOrPrefix);
    // An exact id wins even when it is also a prefix of longer ids.
    PV_TRY(Statement exact, m_db.prepare(doing, std::string(kCheckpointSelect) + "WHERE id = :id"));
    exact.bindText(":id", idOrPrefix);
    PV_TRY(std::vector<CheckpointRecord> found, exact.collect(readCheckpoint));
    if (!found.empty()) {
        PV_TRY_STATUS(readDetails(m_db, doing, found, "WHERE checkpoint_id = :id",
                                  [&](Statement& st) { st.bindText(":id", found.front().id); }));
        return std::optional<CheckpointRecord>(std::move(found.front()));
    }
    // substr, not LIKE: LIKE is case-insensitive and treats '_' and '%'
    // as wildcards. Two rows are enough to know it is ambiguous, but the
    // message gives the count, which a person can act on.
    PV_TRY(Statement prefix, m_db.prepare(doing, std::string(kCheckpointSelect) +
                                                     "WHERE substr(id, 1, length(:prefix)) = :prefix ORDER BY id"));
    prefix.bindText(":prefix", idOrPrefix);
    PV_TRY(std::vector<CheckpointRecord> matches, prefix.collect(readCheckpoint));
    if (matches.empty())
        return std::optional<CheckpointRecord>();
    if (matches.size() > 1)
        return fail(ErrorCode::InvalidArgument, "checkpoint prefix " + quoteForMessage(idOrPrefix) +
                                                    " is ambiguous (" + std::to_string(matches.size()) +
                                                    " matches)");
    PV_TRY_STATUS(readDetails(m_db, doing, matches, "WHERE checkpoint_id = :id",
                              [&](Statement& st) { st.bindText(":id", matches.front().id); }));
    return std::optional<CheckpointRecord>(std::move(matches.front()));
}

Result<std::vector<CheckpointRecord>> Inventory::checkpoints() const
{
    auto guard = lock();
    std::string doing = "listing checkpoints";
    PV_TRY(Statement select, m_db.prepare(doing, std::string(kCheckpointSelect) + std::string(kNewestFirst)));
    PV_TRY(std::vector<CheckpointRecord> rows, select.collect(readCheckpoint));
    PV_TRY_STATUS(readDetails(m_db, doing, rows, "", [](Statement&) {}));
    return rows;
}

Result<std::vector<CheckpointRecord>> Inventory::checkpointsForVm(std::int64_t vmId) const
{
    auto guard = lock();
    std::string doing = "listing the checkpoints of vm " + std::to_string(vmId);
    PV_TRY(Statement select,
           m_db.prepare(doing, std::string(kCheckpointSelect) + "WHERE vm_id = :vm_id" + std::string(kNewestFirst)));
    select.bindInt64(":vm_id", vmId);
    PV_TRY(std::vector<CheckpointRecord> rows, select.collect(readCheckpoint));
    PV_TRY_STATUS(readDetails(m_db, doing, rows,
                              "WHERE checkpoint_id IN (SELECT id FROM checkpoints WHERE vm_id = :vm_id)",
                              [&](Statement& st) { st.bindInt64(":vm_id", vmId); }));
    return rows;
}

Status Inventory::deleteCheckpoint(const std::string& id)
{
    auto guard = lock();
    std::string what = describeCheckpoint(id);
    PV_TRY(Statement remove, m_db.prepare("deleting " + what, "DELETE FROM checkpoints WHERE id = :id"));
    remove.bindText(":id", id);
    PV_TRY_STATUS(remove.run());
    return requireChanged(what);
}

} // namespace pidvisor::manager
