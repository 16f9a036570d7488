#include "CheckpointOperations.h"

#include "checkpoint/CheckpointService.h"
#include "models/Format.h"

namespace pidvisor::gui::ops {

using nlohmann::json;
using namespace pidvisor::manager;

namespace {

QString shortId(const std::string& id)
{
    return QString::fromStdString(id.substr(0, 12));
}

} // namespace

OperationSpec checkpointContainer(const QString& uri, const QString& vm, const QString& container, bool leaveRunning,
                                  const QString& tag)
{
    OperationSpec spec = OperationSpec::named("checkpoint.create", uri, vm + "/" + container);
    spec.sharedVms = {vm.toStdString()};
    spec.cancellable = true;
    CheckpointOptions options;
    options.leaveRunning = leaveRunning;
    options.tag = tag.toStdString();
    spec.body = [vmName = vm.toStdString(), name = container.toStdString(),
                 options](OperationContext& ctx) -> Result<OperationResult> {
        CheckpointService service(ctx.session->vms());
        PV_TRY(CheckpointRecord cp, service.checkpoint(vmName, name, options, ctx.progress, ctx.cancel));
        return OperationResult{QString("checkpoint %1, %2").arg(shortId(cp.id), format::bytes(cp.sizeBytes)),
                               CheckpointService::toJson(cp)};
    };
    return spec;
}

OperationSpec restoreCheckpoint(const QString& uri, const QString& checkpointId, const QString& targetVm,
                                const QString& newName)
{
    OperationSpec spec = OperationSpec::named("checkpoint.restore", uri, checkpointId.left(12) + " → " + targetVm);
    spec.sharedVms = {targetVm.toStdString()};
    spec.cancellable = true;
    spec.body = [id = checkpointId.toStdString(), target = targetVm.toStdString(),
                 name = newName.toStdString()](OperationContext& ctx) -> Result<OperationResult> {
        CheckpointService service(ctx.session->vms());
        PV_TRY(protocol::ContainerRestoreResult c, service.restore(id, target, name, ctx.progress, ctx.cancel));
        return OperationResult{QString("restored as '%1' in %2")
                                   .arg(QString::fromStdString(c.name), QString::fromStdString(target)),
                               protocol::encode(c)};
    };
    return spec;
}

OperationSpec migrateContainer(const QString& uri, const QString& vm, const QString& container,
                               const QString& targetVm, bool live)
{
    OperationSpec spec = OperationSpec::named("container.migrate", uri, vm + "/" + container + " → " + targetVm);
    spec.sharedVms = {vm.toStdString(), targetVm.toStdString()};
    spec.cancellable = true;
    spec.body = [source = vm.toStdString(), name = container.toStdString(), target = targetVm.toStdString(),
                 live](OperationContext& ctx) -> Result<OperationResult> {
        CheckpointService service(ctx.session->vms());
        PV_TRY(MigrationReport r, service.migrate(source, name, target, live, ctx.progress, ctx.cancel));
        return OperationResult{QString("%1 migration done, downtime %2")
                                   .arg(r.live ? "live" : "cold", format::millis(r.downtimeMs)),
                               r.toJson()};
    };
    return spec;
}

OperationSpec verifyCheckpoint(const QString& uri, const QString& checkpointId)
{
    OperationSpec spec = OperationSpec::named("checkpoint.verify", uri, checkpointId.left(12));
    spec.body = [id = checkpointId.toStdString()](OperationContext& ctx) -> Result<OperationResult> {
        CheckpointService service(ctx.session->vms());
        PV_TRY_STATUS(service.verify(id, ctx.progress));
        return OperationResult{"every file matches its sha256", {}};
    };
    return spec;
}

OperationSpec deleteCheckpoint(const QString& uri, const QString& checkpointId)
{
    OperationSpec spec = OperationSpec::named("checkpoint.rm", uri, checkpointId.left(12));
    spec.body = [id = checkpointId.toStdString()](OperationContext& ctx) -> Result<OperationResult> {
        CheckpointService service(ctx.session->vms());
        PV_TRY_STATUS(service.remove(id));
        return OperationResult{"deleted", {}};
    };
    return spec;
}

} // namespace pidvisor::gui::ops
