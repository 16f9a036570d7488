#include "VmOperations.h"

#include "models/Format.h"

namespace pidvisor::gui::ops {

using nlohmann::json;
using namespace pidvisor::manager;

namespace {

std::string str(const QString& s)
{
    return s.toStdString();
}

} // namespace

OperationSpec createVm(const QString& uri, const VmCreateOptions& options)
{
    OperationSpec spec = OperationSpec::named("vm.create", uri, QString::fromStdString(options.name));
    spec.exclusiveVms = {options.name};
    spec.body = [options](OperationContext& ctx) -> Result<OperationResult> {
        PV_TRY(VmView v, ctx.session->vms().create(options, ctx.progress));
        QString ready = v.record.bootToReadyMs ? format::millis(*v.record.bootToReadyMs) : QString("?");
        return OperationResult{QString("ready in %1 (%2, kernel %3)")
                                   .arg(ready, QString::fromStdString(v.record.accel),
                                        QString::fromStdString(v.record.kernelRelease)),
                               v.toJson()};
    };
    return spec;
}

OperationSpec startVm(const QString& uri, const QString& vm, const QString& consoleLog)
{
    OperationSpec spec = OperationSpec::named("vm.start", uri, vm);
    spec.exclusiveVms = {str(vm)};
    spec.logPath = consoleLog;
    spec.body = [name = str(vm)](OperationContext& ctx) -> Result<OperationResult> {
        PV_TRY_STATUS(ctx.session->vms().start(name, std::chrono::seconds(180), ctx.progress));
        PV_TRY(VmView v, ctx.session->vms().show(name));
        return OperationResult{"ready in " + format::millis(v.record.bootToReadyMs.value_or(0)), v.toJson()};
    };
    return spec;
}

OperationSpec stopVm(const QString& uri, const QString& vm)
{
    OperationSpec spec = OperationSpec::named("vm.stop", uri, vm);
    spec.exclusiveVms = {str(vm)};
    spec.body = [name = str(vm)](OperationContext& ctx) -> Result<OperationResult> {
        report(ctx.progress, "shutting down");
        PV_TRY(std::string how, ctx.session->vms().stop(name, std::chrono::seconds(60)));
        return OperationResult{QString::fromStdString(how), {}};
    };
    return spec;
}

OperationSpec destroyVm(const QString& uri, const QString& vm)
{
    OperationSpec spec = OperationSpec::named("vm.destroy", uri, vm);
    spec.exclusiveVms = {str(vm)};
    spec.body = [name = str(vm)](OperationContext& ctx) -> Result<OperationResult> {
        PV_TRY_STATUS(ctx.session->vms().destroy(name));
        return OperationResult{"powered off", {}};
    };
    return spec;
}

OperationSpec deleteVm(const QString& uri, const QString& vm, bool force)
{
    OperationSpec spec = OperationSpec::named("vm.rm", uri, vm);
    spec.exclusiveVms = {str(vm)};
    spec.body = [name = str(vm), force](OperationContext& ctx) -> Result<OperationResult> {
        PV_TRY_STATUS(ctx.session->vms().remove(name, force));
        return OperationResult{"deleted", {}};
    };
    return spec;
}

OperationSpec createContainer(const QString& uri, const QString& vm, const protocol::ContainerSpec& container,
                              const manager::NetworkChoice& network)
{
    QString target = vm + "/" + QString::fromStdString(container.name);
    OperationSpec spec = OperationSpec::named("container.create", uri, target);
    spec.sharedVms = {str(vm)};
    spec.body = [vmName = str(vm), container, network](OperationContext& ctx) -> Result<OperationResult> {
        report(ctx.progress, "asking the agent");
        PV_TRY(protocol::ContainerInfo c, ctx.session->containers().create(vmName, container, network));
        return OperationResult{QString("running, pid 1 is %1 in the VM").arg(c.initPid), protocol::encode(c)};
    };
    return spec;
}

OperationSpec createContainerFromImage(const QString& uri, const QString& vm, const protocol::ContainerSpec& container,
                                       const QString& image, const manager::NetworkChoice& network)
{
    QString target = vm + "/" + QString::fromStdString(container.name);
    OperationSpec spec = OperationSpec::named("container.create", uri, target);
    spec.sharedVms = {str(vm)};
    spec.body = [vmName = str(vm), container, imageName = str(image),
                 network](OperationContext& ctx) -> Result<OperationResult> {
        // The command given (maybe none) goes after the image's entrypoint.
        protocol::ContainerSpec given = container;
        std::vector<std::string> command = std::move(given.argv);
        given.argv.clear();
        bool cwdGiven = given.cwd != protocol::ContainerSpec{}.cwd;
        PV_TRY(protocol::ContainerInfo c, ctx.session->containers().createFromImage(vmName, given, imageName, command,
                                                                                    cwdGiven, ctx.progress, network));
        return OperationResult{QString("running image %1, pid 1 is %2 in the VM")
                                   .arg(QString::fromStdString(imageName))
                                   .arg(c.initPid),
                               protocol::encode(c)};
    };
    return spec;
}

OperationSpec execInContainer(const QString& uri, const QString& vm, const QString& container, const QStringList& argv)
{
    OperationSpec spec = OperationSpec::named("container.exec", uri, vm + "/" + container);
    spec.sharedVms = {str(vm)};
    protocol::GuestExecArgs command;
    for (const QString& a : argv)
        command.argv.push_back(str(a));
    spec.body = [vmName = str(vm), name = str(container), command](OperationContext& ctx) -> Result<OperationResult> {
        PV_TRY(protocol::CommandResult r, ctx.session->containers().exec(vmName, name, command));
        return OperationResult{QString("exit code %1").arg(r.exitCode), protocol::encode(r)};
    };
    return spec;
}

OperationSpec stopContainer(const QString& uri, const QString& vm, const QString& container)
{
    OperationSpec spec = OperationSpec::named("container.stop", uri, vm + "/" + container);
    spec.sharedVms = {str(vm)};
    spec.body = [vmName = str(vm), name = str(container)](OperationContext& ctx) -> Result<OperationResult> {
        PV_TRY(protocol::ContainerInfo c, ctx.session->containers().stop(vmName, name, 10000));
        return OperationResult{"stopped", protocol::encode(c)};
    };
    return spec;
}

OperationSpec killContainer(const QString& uri, const QString& vm, const QString& container, const QString& signal,
                            bool all)
{
    OperationSpec spec = OperationSpec::named("container.kill", uri, vm + "/" + container);
    spec.sharedVms = {str(vm)};
    spec.body = [vmName = str(vm), name = str(container), sig = str(signal),
                 all](OperationContext& ctx) -> Result<OperationResult> {
        PV_TRY(int number, protocol::signalFromText(sig));
        PV_TRY(protocol::ContainerKillResult r, ctx.session->containers().kill(vmName, name, {number}, all));
        return OperationResult{QString("signal %1 sent to %2 process(es)").arg(r.signal).arg(r.signalled),
                               protocol::encode(r)};
    };
    return spec;
}

OperationSpec deleteContainer(const QString& uri, const QString& vm, const QString& container, bool force)
{
    OperationSpec spec = OperationSpec::named("container.rm", uri, vm + "/" + container);
    spec.sharedVms = {str(vm)};
    spec.body = [vmName = str(vm), name = str(container), force](OperationContext& ctx) -> Result<OperationResult> {
        PV_TRY_STATUS(ctx.session->containers().remove(vmName, name, force));
        return OperationResult{"deleted", {}};
    };
    return spec;
}

} // namespace pidvisor::gui::ops
