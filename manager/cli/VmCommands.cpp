#include "Commands.h"

#include "core/States.h"

#include "protocol/ObjectText.h"
#include "protocol/TextTable.h"

#include <unistd.h>

#include <iostream>

namespace pidvisor::manager {

using nlohmann::json;

namespace {

std::string seconds(const std::optional<std::int64_t>& ms)
{
    if (!ms)
        return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(*ms) / 1000.0);
    return buf;
}

std::string vmTable(const std::vector<VmView>& vms)
{
    TextTable t({"NAME", "STATE", "ACCEL", "KERNEL", "MEMORY", "VCPUS", "BOOT-TO-READY", "RELEASE"});
    for (const auto& v : vms)
        t.addRow({v.record.name, v.record.missing ? "missing" : vmStateText(v.record.state), v.record.accel,
                  v.record.kernel, std::to_string(v.record.memoryMiB) + " MiB", std::to_string(v.record.vcpus),
                  seconds(v.record.bootToReadyMs), v.record.kernelRelease});
    return t.render();
}

// "\nnetwork: NAME (MAC) ADDRESS", for a view that has its NIC read.
std::string network(const VmView& v)
{
    return v.net ? "\nnetwork:        " + describeNetwork(*v.net) : "";
}

std::string vmDetails(const VmView& v)
{
    const VmRecord& r = v.record;
    std::string state = r.missing ? "missing (deleted outside Pidvisor)" : vmStateText(r.state);
    return "name:           " + r.name + "\nstate:          " + state +
           "\nhost:           " + v.uri + "\nuuid:           " + r.uuid + "\naccel:          " + r.accel +
           "\nkernel:         " + r.kernel + " (" + r.kernelRelease + ")\nimage:          " + r.imageId +
           "\nmemory:         " + std::to_string(r.memoryMiB) + " MiB\nvcpus:          " + std::to_string(r.vcpus) +
           "\ndata disk:      " + (r.dataDisk.empty() ? "-" : r.dataDisk) + network(v) + "\nconsole log:    " + r.consoleLog +
           "\nboot-to-ready:  " + seconds(r.bootToReadyMs) + "\nagent:          " +
           (r.agentVersion.empty() ? "-" : r.agentVersion) + "\ncreated:        " + protocol::formatLocalTime(r.createdAt) +
           "\n";
}

void addCreate(CLI::App& vm, CliContext& ctx)
{
    auto o = std::make_shared<VmCreateOptions>();
    auto timeout = std::make_shared<int>(180);
    auto* c = vm.add_subcommand("create", "Create a VM and wait until its agent answers");
    c->add_option("name", o->name, "VM name")->required();
    c->add_option("--memory", o->memoryMiB, "Memory in MiB")->capture_default_str();
    c->add_option("--cpus", o->vcpus, "Number of vCPUs")->capture_default_str();
    c->add_option("--kernel", o->kernel, "stock, container, or a kernel file")->capture_default_str();
    c->add_option("--network", o->network,
                  "The libvirt network of its NIC: pidvisor (the default, made when missing; $PIDVISOR_NETWORK), "
                  "another existing network, or none");
    c->add_option("--accel", o->accel, "auto, kvm or tcg")->check(CLI::IsMember({"auto", "kvm", "tcg"}))->capture_default_str();
    c->add_option("--disk", o->diskMiB,
                  "Size in MiB of the sparse qcow2 data disk that keeps containers' files across VM restarts "
                  "(0: none, files live in memory)")
        ->capture_default_str();
    c->add_option("--timeout", *timeout, "Seconds to wait for the agent")->capture_default_str();
    c->callback([&ctx, o, timeout] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(VmService * vms, ctx.vms());
            o->bootTimeout = std::chrono::seconds(*timeout);
            PV_TRY(VmView v, vms->create(*o, ctx.progress()));
            return ctx.print(v.toJson(), "VM '" + v.record.name + "' is ready in " + seconds(v.record.bootToReadyMs) +
                                             " (" + v.record.accel + ", kernel " + v.record.kernelRelease + ")");
        }));
    });
}

void addLifecycle(CLI::App& vm, CliContext& ctx)
{
    auto name = std::make_shared<std::string>();
    auto timeout = std::make_shared<int>(180);
    auto* start = vm.add_subcommand("start", "Start a VM and wait until its agent answers");
    start->add_option("name", *name, "VM name")->required();
    start->add_option("--timeout", *timeout, "Seconds to wait for the agent")->capture_default_str();
    start->callback([&ctx, name, timeout] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(VmService * vms, ctx.vms());
            PV_TRY_STATUS(vms->start(*name, std::chrono::seconds(*timeout), ctx.progress()));
            PV_TRY(VmView v, vms->show(*name));
            return ctx.print(v.toJson(), "VM '" + *name + "' is ready in " + seconds(v.record.bootToReadyMs));
        }));
    });

    auto stopTimeout = std::make_shared<int>(60);
    auto* stop = vm.add_subcommand("stop", "Shut a VM down cleanly (agent, then ACPI, then destroy)");
    stop->add_option("name", *name, "VM name")->required();
    stop->add_option("--timeout", *stopTimeout, "Seconds before it is destroyed")->capture_default_str();
    stop->callback([&ctx, name, stopTimeout] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(VmService * vms, ctx.vms());
            PV_TRY(std::string how, vms->stop(*name, std::chrono::seconds(*stopTimeout)));
            return ctx.print({{"name", *name}, {"stopped", how}}, "VM '" + *name + "': " + how);
        }));
    });

    auto* destroy = vm.add_subcommand("destroy", "Power a VM off at once");
    destroy->add_option("name", *name, "VM name")->required();
    destroy->callback([&ctx, name] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(VmService * vms, ctx.vms());
            PV_TRY_STATUS(vms->destroy(*name));
            return ctx.print({{"name", *name}, {"state", vmStateText(VmState::ShutOff)}},
                             "VM '" + *name + "' destroyed");
        }));
    });

    auto force = std::make_shared<bool>(false);
    auto* rm = vm.add_subcommand("rm", "Delete a VM: its domain, data disk, console log and inventory entry");
    rm->add_option("name", *name, "VM name")->required();
    rm->add_flag("--force,-f", *force, "Destroy it first if it runs");
    rm->callback([&ctx, name, force] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(VmService * vms, ctx.vms());
            PV_TRY_STATUS(vms->remove(*name, *force));
            return ctx.print({{"name", *name}, {"removed", true}}, "VM '" + *name + "' removed");
        }));
    });
}

void addQueries(CLI::App& vm, CliContext& ctx)
{
    vm.add_subcommand("list", "List VMs")->callback([&ctx] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(VmService * vms, ctx.vms());
            PV_TRY(auto list, vms->list());
            json arr = json::array();
            for (const auto& v : list)
                arr.push_back(v.toJson());
            return ctx.print(arr, vmTable(list));
        }));
    });
    auto name = std::make_shared<std::string>();
    auto* show = vm.add_subcommand("show", "Show a VM");
    show->add_option("name", *name, "VM name")->required();
    show->callback([&ctx, name] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(VmService * vms, ctx.vms());
            PV_TRY(VmView v, vms->show(*name));
            return ctx.print(v.toJson(), vmDetails(v));
        }));
    });
    auto logOnly = std::make_shared<bool>(false);
    auto* console = vm.add_subcommand("console", "Attach to a VM's serial console (Ctrl-] leaves), or print its log");
    console->add_option("name", *name, "VM name")->required();
    console->add_flag("--log", *logOnly, "Print the console log instead");
    console->callback([&ctx, name, logOnly] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(VmService * vms, ctx.vms());
            if (!*logOnly && ::isatty(0))
                return attachConsole(vms->connection(), *name);
            PV_TRY(std::string log, vms->consoleLog(*name, 4 << 20));
            std::cout << log << std::flush;
            return 0;
        }));
    });
    auto argv = std::make_shared<std::vector<std::string>>();
    auto timeout = std::make_shared<double>(0);
    auto* exec = vm.add_subcommand("exec", "Run a command in the VM itself, outside containers");
    exec->add_option("name", *name, "VM name")->required();
    exec->add_option("command", *argv, "Command and arguments (after --)")->required();
    exec->add_option("--timeout", *timeout, "Kill it after this many seconds");
    exec->callback([&ctx, name, argv, timeout] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            PV_TRY(ContainerService * cs, ctx.containers());
            protocol::GuestExecArgs command;
            command.argv = *argv;
            if (*timeout > 0)
                command.timeoutMs = static_cast<std::int64_t>(*timeout * 1000);
            PV_TRY(protocol::CommandResult result, cs->guestExec(*name, command));
            return printCommandResult(ctx, result);
        }));
    });
}

} // namespace

int printCommandResult(CliContext& ctx, const protocol::CommandResult& result)
{
    int code = result.exitCode;
    if (ctx.options().json) {
        ctx.print(protocol::encode(result), "");
        return code;
    }
    std::cout << result.stdoutText << std::flush;
    std::cerr << result.stderrText;
    if (result.timedOut)
        std::cerr << "pidvisor: the command timed out and was killed\n";
    return code;
}

void addVmCommands(CLI::App& app, CliContext& ctx)
{
    auto* vm = app.add_subcommand("vm", "Manage VMs");
    vm->require_subcommand(1);
    addCreate(*vm, ctx);
    addLifecycle(*vm, ctx);
    addQueries(*vm, ctx);
}

} // namespace pidvisor::manager
