// Inventory: containers, as the agent in each VM reports them.
#include "Inventory.h"

#include "protocol/Names.h"

#include <set>

namespace pidvisor::manager {

using protocol::quoteForMessage;

namespace {

constexpr std::string_view kContainerSelect =
    "SELECT id, vm_id, name, state, init_pid, spec_json, process_count, updated_at FROM containers ";

// Keyed by (vm_id, name), so the row id of a container that is still
// reported stays the same across refreshes. RETURNING gives the id on both
// paths (last_insert_rowid does not change on the update path).
constexpr std::string_view kContainerUpsert =
    "INSERT INTO containers (vm_id, name, state, init_pid, spec_json, process_count, updated_at) "
    "VALUES (:vm_id, :name, :state, :init_pid, :spec_json, :process_count, :updated_at) "
    "ON CONFLICT (vm_id, name) DO UPDATE SET state = excluded.state, init_pid = excluded.init_pid, "
    "spec_json = excluded.spec_json, process_count = excluded.process_count, updated_at = excluded.updated_at "
    "RETURNING id";

ContainerRecord readContainer(const Statement& row)
{
    ContainerRecord container;
    container.id = row.columnInt64(0);
    container.vmId = row.columnInt64(1);
    container.name = row.columnText(2);
    container.state = containerState(row.columnText(3));
    container.initPid = row.columnInt64(4);
    container.specJson = row.columnText(5);
    container.processCount = row.columnInt64(6);
    container.updatedAt = row.columnInt64(7);
    return container;
}

std::string describeContainer(std::int64_t vmId, const std::string& name)
{
    return "container " + quoteForMessage(name) + " of vm " + std::to_string(vmId);
}

} // namespace

Result<std::int64_t> Inventory::writeContainer(const ContainerRecord& container) const
{
    PV_TRY(Statement upsert, m_db.prepare("storing " + describeContainer(container.vmId, container.name),
                                          kContainerUpsert));
    upsert.bindInt64(":vm_id", container.vmId)
        .bindText(":name", container.name)
        .bindText(":state", containerStateText(container.state))
        .bindInt64(":init_pid", container.initPid)
        .bindText(":spec_json", container.specJson)
        .bindInt64(":process_count", container.processCount)
        .bindInt64(":updated_at", nowMillis());
    PV_TRY(bool row, upsert.step());
    if (!row)
        return fail(ErrorCode::Internal, "inventory: " + upsert.doing() + ": no id returned");
    std::int64_t id = upsert.columnInt64(0);
    PV_TRY_STATUS(upsert.run()); // finishes the statement, releasing its lock
    return id;
}

Status Inventory::replaceContainers(std::int64_t vmId, const std::vector<ContainerRecord>& containers)
{
    // Duplicates would silently merge in the upsert; the agent never sends
    // them, so one here is a caller's bug worth reporting.
    std::set<std::string> listed;
    for (const ContainerRecord& container : containers)
        if (!listed.insert(container.name).second)
            return fail(ErrorCode::InvalidArgument,
                        "inventory: " + describeContainer(vmId, container.name) + " is listed twice");
    auto guard = lock();
    std::string doing = "replacing the containers of vm " + std::to_string(vmId);
    return m_db.transaction(doing, [&]() -> Status {
        PV_TRY_STATUS(requireVm(vmId, doing));
        PV_TRY(Statement select, m_db.prepare(doing, "SELECT name FROM containers WHERE vm_id = :vm_id"));
        select.bindInt64(":vm_id", vmId);
        PV_TRY(std::vector<std::string> existing, select.collect([](const Statement& row) { return row.columnText(0); }));
        PV_TRY(Statement remove, m_db.prepare(doing, "DELETE FROM containers WHERE vm_id = :vm_id AND name = :name"));
        for (const std::string& name : existing) {
            if (listed.count(name) != 0)
                continue;
            remove.reset();
            remove.bindInt64(":vm_id", vmId).bindText(":name", name);
            PV_TRY_STATUS(remove.run());
        }
        for (ContainerRecord container : containers) {
            container.vmId = vmId;
            PV_TRY_STATUS(writeContainer(container));
        }
        return {};
    });
}

Result<std::int64_t> Inventory::upsertContainer(const ContainerRecord& container)
{
    auto guard = lock();
    return writeContainer(container);
}

Result<std::vector<ContainerRecord>> Inventory::containers(std::int64_t vmId) const
{
    auto guard = lock();
    PV_TRY(Statement select, m_db.prepare("listing the containers of vm " + std::to_string(vmId),
                                          std::string(kContainerSelect) + "WHERE vm_id = :vm_id ORDER BY name"));
    select.bindInt64(":vm_id", vmId);
    return select.collect(readContainer);
}

Status Inventory::deleteContainer(std::int64_t vmId, const std::string& name)
{
    auto guard = lock();
    std::string what = describeContainer(vmId, name);
    PV_TRY(Statement remove,
           m_db.prepare("deleting " + what, "DELETE FROM containers WHERE vm_id = :vm_id AND name = :name"));
    remove.bindInt64(":vm_id", vmId).bindText(":name", name);
    PV_TRY_STATUS(remove.run());
    return requireChanged(what);
}

} // namespace pidvisor::manager
