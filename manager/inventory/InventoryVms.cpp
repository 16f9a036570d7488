// Inventory: VMs.
#include "Inventory.h"

#include "protocol/Names.h"

namespace pidvisor::manager {

using protocol::quoteForMessage;

namespace {

constexpr std::string_view kVmSelect =
    "SELECT id, host_id, name, uuid, state, accel, kernel, image_id, memory_mib, vcpus, data_disk, "
    "console_log, created_at, boot_to_ready_ms, missing, agent_version, kernel_release, updated_at FROM vms ";

VmRecord readVm(const Statement& row)
{
    VmRecord vm;
    vm.id = row.columnInt64(0);
    vm.hostId = row.columnInt64(1);
    vm.name = row.columnText(2);
    vm.uuid = row.columnText(3);
    vm.state = vmState(row.columnText(4));
    vm.accel = row.columnText(5);
    vm.kernel = row.columnText(6);
    vm.imageId = row.columnText(7);
    vm.memoryMiB = row.columnInt64(8);
    vm.vcpus = static_cast<int>(row.columnInt64(9));
    vm.dataDisk = row.columnText(10);
    vm.consoleLog = row.columnText(11);
    vm.createdAt = row.columnInt64(12);
    vm.bootToReadyMs = row.columnOptionalInt64(13);
    vm.missing = row.columnInt64(14) != 0;
    vm.agentVersion = row.columnText(15);
    vm.kernelRelease = row.columnText(16);
    vm.updatedAt = row.columnInt64(17);
    return vm;
}

// Binds every column but id and created_at, which insert and update treat
// differently.
void bindVmFields(Statement& statement, const VmRecord& vm, std::int64_t now)
{
    statement.bindInt64(":host_id", vm.hostId)
        .bindText(":name", vm.name)
        .bindText(":uuid", vm.uuid)
        .bindText(":state", vmStateText(vm.state))
        .bindText(":accel", vm.accel)
        .bindText(":kernel", vm.kernel)
        .bindTextOrNull(":image_id", vm.imageId)
        .bindInt64(":memory_mib", vm.memoryMiB)
        .bindInt64(":vcpus", vm.vcpus)
        .bindText(":data_disk", vm.dataDisk)
        .bindText(":console_log", vm.consoleLog)
        .bindOptionalInt64(":boot_to_ready_ms", vm.bootToReadyMs)
        .bindInt64(":missing", vm.missing ? 1 : 0)
        .bindText(":agent_version", vm.agentVersion)
        .bindText(":kernel_release", vm.kernelRelease)
        .bindInt64(":updated_at", now);
}

std::string vmWithId(std::int64_t id)
{
    return "vm with id " + std::to_string(id);
}

} // namespace

Result<std::int64_t> Inventory::insertVm(const VmRecord& vm)
{
    auto guard = lock();
    std::int64_t now = nowMillis();
    PV_TRY(Statement insert,
           m_db.prepare("inserting vm " + quoteForMessage(vm.name),
                        "INSERT INTO vms (host_id, name, uuid, state, accel, kernel, image_id, memory_mib, vcpus, "
                        "data_disk, console_log, created_at, boot_to_ready_ms, missing, agent_version, "
                        "kernel_release, updated_at) VALUES (:host_id, :name, :uuid, :state, :accel, :kernel, "
                        ":image_id, :memory_mib, :vcpus, :data_disk, :console_log, :created_at, "
                        ":boot_to_ready_ms, :missing, :agent_version, :kernel_release, :updated_at)"));
    bindVmFields(insert, vm, now);
    insert.bindInt64(":created_at", vm.createdAt != 0 ? vm.createdAt : now);
    PV_TRY_STATUS(insert.run());
    return m_db.lastInsertRowId();
}

Status Inventory::updateVm(const VmRecord& vm)
{
    auto guard = lock();
    PV_TRY(Statement update,
           m_db.prepare("updating vm " + quoteForMessage(vm.name),
                        "UPDATE vms SET host_id = :host_id, name = :name, uuid = :uuid, state = :state, "
                        "accel = :accel, kernel = :kernel, image_id = :image_id, memory_mib = :memory_mib, "
                        "vcpus = :vcpus, data_disk = :data_disk, console_log = :console_log, "
                        "created_at = :created_at, boot_to_ready_ms = :boot_to_ready_ms, missing = :missing, "
                        "agent_version = :agent_version, kernel_release = :kernel_release, "
                        "updated_at = :updated_at WHERE id = :id"));
    bindVmFields(update, vm, nowMillis());
    update.bindInt64(":created_at", vm.createdAt).bindInt64(":id", vm.id);
    PV_TRY_STATUS(update.run());
    return requireChanged(vmWithId(vm.id));
}

Result<std::optional<VmRecord>> Inventory::findVm(std::int64_t hostId, const std::string& name) const
{
    auto guard = lock();
    PV_TRY(Statement select, m_db.prepare("finding vm " + quoteForMessage(name),
                                          std::string(kVmSelect) + "WHERE host_id = :host_id AND name = :name"));
    select.bindInt64(":host_id", hostId).bindText(":name", name);
    return select.first(readVm);
}

Result<std::optional<VmRecord>> Inventory::findVmById(std::int64_t id) const
{
    auto guard = lock();
    PV_TRY(Statement select, m_db.prepare("finding " + vmWithId(id), std::string(kVmSelect) + "WHERE id = :id"));
    select.bindInt64(":id", id);
    return select.first(readVm);
}

Result<std::vector<VmRecord>> Inventory::vms() const
{
    auto guard = lock();
    PV_TRY(Statement select, m_db.prepare("listing vms", std::string(kVmSelect) + "ORDER BY host_id, name"));
    return select.collect(readVm);
}

Result<std::vector<VmRecord>> Inventory::vms(std::int64_t hostId) const
{
    auto guard = lock();
    PV_TRY(Statement select, m_db.prepare("listing vms of host " + std::to_string(hostId),
                                          std::string(kVmSelect) + "WHERE host_id = :host_id ORDER BY name"));
    select.bindInt64(":host_id", hostId);
    return select.collect(readVm);
}

Status Inventory::deleteVm(std::int64_t id)
{
    auto guard = lock();
    PV_TRY(Statement remove, m_db.prepare("deleting " + vmWithId(id), "DELETE FROM vms WHERE id = :id"));
    remove.bindInt64(":id", id);
    PV_TRY_STATUS(remove.run());
    return requireChanged(vmWithId(id));
}

Status Inventory::setVmMissing(std::int64_t id, bool missing)
{
    auto guard = lock();
    PV_TRY(Statement update, m_db.prepare("marking " + vmWithId(id) + (missing ? " missing" : " present"),
                                          "UPDATE vms SET missing = :missing, updated_at = :now WHERE id = :id"));
    update.bindInt64(":missing", missing ? 1 : 0).bindInt64(":now", nowMillis()).bindInt64(":id", id);
    PV_TRY_STATUS(update.run());
    return requireChanged(vmWithId(id));
}

Status Inventory::setVmState(std::int64_t id, VmState state)
{
    auto guard = lock();
    PV_TRY(Statement update, m_db.prepare("setting the state of " + vmWithId(id),
                                          "UPDATE vms SET state = :state, updated_at = :now WHERE id = :id"));
    update.bindText(":state", vmStateText(state)).bindInt64(":now", nowMillis()).bindInt64(":id", id);
    PV_TRY_STATUS(update.run());
    return requireChanged(vmWithId(id));
}

Status Inventory::requireVm(std::int64_t id, std::string_view doing) const
{
    PV_TRY(Statement select, m_db.prepare(doing, "SELECT 1 FROM vms WHERE id = :id"));
    select.bindInt64(":id", id);
    PV_TRY(bool row, select.step());
    if (!row)
        return fail(ErrorCode::NotFound, "inventory: no " + vmWithId(id));
    return {};
}

} // namespace pidvisor::manager
