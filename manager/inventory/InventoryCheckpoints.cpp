// Inventory: checkpoints in the host's store.
#include "Inventory.h"

#include "protocol/Names.h"

namespace pidvisor::manager {

using protocol::quoteForMessage;

namespace {

constexpr std::string_view kCheckpointSelect =
    "SELECT id, vm_id, vm_name, container_name, tag, created_at, path, size_bytes, sha256, pid_map_json, "
    "kernel_release, criu_version, durations_json, status FROM checkpoints ";

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
    checkpoint.pidMapJson = row.columnText(9);
    checkpoint.kernelRelease = row.columnText(10);
    checkpoint.criuVersion = row.columnText(11);
    checkpoint.durationsJson = row.columnText(12);
    checkpoint.status = row.columnText(13);
    return checkpoint;
}

void bindCheckpoint(Statement& statement, const CheckpointRecord& checkpoint)
{
    statement.bindText(":id", checkpoint.id)
        .bindOptionalInt64(":vm_id", checkpoint.vmId)
        .bindText(":vm_name", checkpoint.vmName)
        .bindText(":container_name", checkpoint.containerName)
        .bindText(":tag", checkpoint.tag)
        .bindText(":path", checkpoint.path)
        .bindInt64(":size_bytes", checkpoint.sizeBytes)
        .bindText(":sha256", checkpoint.sha256)
        .bindText(":pid_map_json", checkpoint.pidMapJson)
        .bindText(":kernel_release", checkpoint.kernelRelease)
        .bindText(":criu_version", checkpoint.criuVersion)
        .bindText(":durations_json", checkpoint.durationsJson)
        .bindText(":status", checkpoint.status);
}

std::string describeCheckpoint(const std::string& id)
{
    return "checkpoint " + quoteForMessage(id);
}

} // namespace

Status Inventory::insertCheckpoint(const CheckpointRecord& checkpoint)
{
    auto guard = lock();
    PV_TRY(Statement insert,
           m_db.prepare("inserting " + describeCheckpoint(checkpoint.id),
                        "INSERT INTO checkpoints (id, vm_id, vm_name, container_name, tag, created_at, path, "
                        "size_bytes, sha256, pid_map_json, kernel_release, criu_version, durations_json, status) "
                        "VALUES (:id, :vm_id, :vm_name, :container_name, :tag, :created_at, :path, :size_bytes, "
                        ":sha256, :pid_map_json, :kernel_release, :criu_version, :durations_json, :status)"));
    bindCheckpoint(insert, checkpoint);
    insert.bindInt64(":created_at", checkpoint.createdAt != 0 ? checkpoint.createdAt : nowMillis());
    return insert.run();
}

Status Inventory::updateCheckpoint(const CheckpointRecord& checkpoint)
{
    auto guard = lock();
    std::string what = describeCheckpoint(checkpoint.id);
    PV_TRY(Statement update,
           m_db.prepare("updating " + what,
                        "UPDATE checkpoints SET vm_id = :vm_id, vm_name = :vm_name, "
                        "container_name = :container_name, tag = :tag, created_at = :created_at, path = :path, "
                        "size_bytes = :size_bytes, sha256 = :sha256, pid_map_json = :pid_map_json, "
                        "kernel_release = :kernel_release, criu_version = :criu_version, "
                        "durations_json = :durations_json, status = :status WHERE id = :id"));
    bindCheckpoint(update, checkpoint);
    update.bindInt64(":created_at", checkpoint.createdAt);
    PV_TRY_STATUS(update.run());
    return requireChanged(what);
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
    PV_TRY(std::optional<CheckpointRecord> found, exact.first(readCheckpoint));
    if (found)
        return found;
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
    return std::optional<CheckpointRecord>(std::move(matches.front()));
}

Result<std::vector<CheckpointRecord>> Inventory::checkpoints() const
{
    auto guard = lock();
    PV_TRY(Statement select,
           m_db.prepare("listing checkpoints", std::string(kCheckpointSelect) + std::string(kNewestFirst)));
    return select.collect(readCheckpoint);
}

Result<std::vector<CheckpointRecord>> Inventory::checkpointsForVm(std::int64_t vmId) const
{
    auto guard = lock();
    PV_TRY(Statement select, m_db.prepare("listing the checkpoints of vm " + std::to_string(vmId),
                                          std::string(kCheckpointSelect) + "WHERE vm_id = :vm_id" +
                                              std::string(kNewestFirst)));
    select.bindInt64(":vm_id", vmId);
    return select.collect(readCheckpoint);
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
