#include "Commands.h"

#include "protocol/ImageDefaults.h"
#include "protocol/ObjectText.h"

#include <iostream>

namespace pidvisor::manager {

using nlohmann::json;

namespace {

struct Target {
    std::string vm, name;
};

struct CreateArgs {
    std::string hostname, cwd, image, network, address;
    std::vector<std::string> command, env;
    std::int64_t memoryMiB = 0, pids = 0;
    bool init = false;
    bool privileged = false;
    bool userns = false;
    std::int64_t usernsBase = 0;
};

// `container X VM NAME` with a body that uses the service.
template <class Body>
void withService(CliContext& ctx, Body body)
{
    finish(runCommand(ctx, [&]() -> Result<int> {
        PV_TRY(ContainerService * cs, ctx.containers());
        return body(*cs);
    }));
}

void addCreate(CLI::App& group, CliContext& ctx)
{
    auto t = std::make_shared<Target>();
    auto a = std::make_shared<CreateArgs>();
    auto* c = group.add_subcommand("create", "Create and start a container in a VM");
    c->add_option("vm", t->vm, "VM name")->required();
    c->add_option("name", t->name, "Container name")->required();
    c->add_option("command", a->command, "Command and arguments (after --; with --image: default the image's)");
    c->add_option("--image", a->image, "Image (name or digest, see 'image list') whose files are the root");
    c->add_option("--hostname", a->hostname, "Hostname inside (default: its name)");
    c->add_option("--memory", a->memoryMiB, "Memory limit in MiB");
    c->add_option("--pids", a->pids, "Maximum number of processes");
    c->add_option("--env,-e", a->env, "Environment KEY=VALUE (repeatable)");
    c->add_option("--cwd", a->cwd, "Working directory inside");
    c->add_flag("--init", a->init, "A tiny init as pid 1 that forwards signals and reaps");
    c->add_flag("--privileged", a->privileged,
                "Every capability, no seccomp filter, no masked or read-only paths (default: confined)");
    c->add_flag("--userns", a->userns, "Its own user namespace: its root is an unprivileged uid range of the VM (65536 ids)");
    c->add_option("--userns-base", a->usernsBase, "With --userns: the VM uid its root is (default: a free range from 100000 on)");
    c->add_option("--network", a->network,
                  "'none' for loopback only (default: an address on the VM's network)");
    c->add_option("--address", a->address, "Its IPv4 address on the VM's network (default: the next free one)");
    c->callback([&ctx, t, a] {
        withService(ctx, [&](ContainerService& cs) -> Result<int> {
            if (!a->network.empty() && a->network != "none")
                return fail(ErrorCode::InvalidArgument,
                            "--network takes only 'none': a container joins its VM's network");
            NetworkChoice network{a->network == "none", a->address};
            if (network.none && !network.address.empty())
                return fail(ErrorCode::InvalidArgument, "--address and --network none contradict each other");
            protocol::ContainerSpec spec;
            spec.name = t->name;
            spec.argv = a->command;
            spec.env = a->env;
            spec.init = a->init;
            spec.privileged = a->privileged;
            PV_TRY(spec.userns, protocol::userNamespaceOption(a->userns, a->usernsBase));
            if (!a->hostname.empty())
                spec.hostname = a->hostname;
            if (!a->cwd.empty())
                spec.cwd = a->cwd;
            if (a->memoryMiB > 0)
                spec.memoryMiB = a->memoryMiB;
            if (a->pids > 0)
                spec.pidsMax = a->pids;
            if (a->image.empty()) {
                if (a->command.empty())
                    return fail(ErrorCode::InvalidArgument, "a command is needed after -- (or an --image with a default one)");
                PV_TRY(protocol::ContainerInfo info, cs.create(t->vm, spec, network));
                return ctx.print(protocol::encode(info), protocol::containerDetails(info));
            }
            auto made =
                cs.createFromImage(t->vm, spec, a->image, a->command, !a->cwd.empty(), ctx.progress(), network);
            ctx.endProgress();
            PV_TRY(protocol::ContainerInfo info, std::move(made));
            return ctx.print(protocol::encode(info), protocol::containerDetails(info));
        });
    });

    auto* s = group.add_subcommand("start", "Run a stopped container again on its files (after a VM restart)");
    s->add_option("vm", t->vm, "VM name")->required();
    s->add_option("name", t->name, "Container name")->required();
    s->callback([&ctx, t] {
        withService(ctx, [&](ContainerService& cs) -> Result<int> {
            PV_TRY(protocol::ContainerInfo info, cs.start(t->vm, t->name));
            return ctx.print(protocol::encode(info), protocol::containerDetails(info));
        });
    });
}

void addQueries(CLI::App& group, CliContext& ctx)
{
    auto t = std::make_shared<Target>();
    auto* list = group.add_subcommand("list", "List a VM's containers");
    list->add_option("vm", t->vm, "VM name")->required();
    list->callback([&ctx, t] {
        withService(ctx, [&](ContainerService& cs) -> Result<int> {
            PV_TRY(auto containers, cs.list(t->vm));
            return ctx.print(protocol::Codec<decltype(containers)>::encode(containers),
                             protocol::containerTable(containers));
        });
    });
    auto* info = group.add_subcommand("info", "Show a container");
    info->add_option("vm", t->vm, "VM name")->required();
    info->add_option("name", t->name, "Container name")->required();
    info->callback([&ctx, t] {
        withService(ctx, [&](ContainerService& cs) -> Result<int> {
            PV_TRY(protocol::ContainerInfo c, cs.info(t->vm, t->name));
            return ctx.print(protocol::encode(c), protocol::containerDetails(c));
        });
    });
    auto* ps = group.add_subcommand("ps", "A container's processes: virtual pid and global pid side by side");
    ps->add_option("vm", t->vm, "VM name")->required();
    ps->add_option("name", t->name, "Container name")->required();
    ps->callback([&ctx, t] {
        withService(ctx, [&](ContainerService& cs) -> Result<int> {
            PV_TRY(auto procs, cs.processes(t->vm, t->name));
            return ctx.print(protocol::Codec<decltype(procs)>::encode(procs), protocol::processTable(procs));
        });
    });
    auto tail = std::make_shared<std::int64_t>(0);
    auto* logs = group.add_subcommand("logs", "Print a container's console output");
    logs->add_option("vm", t->vm, "VM name")->required();
    logs->add_option("name", t->name, "Container name")->required();
    logs->add_option("--tail", *tail, "Only the last N bytes");
    logs->callback([&ctx, t, tail] {
        withService(ctx, [&](ContainerService& cs) -> Result<int> {
            PV_TRY(std::string text, cs.logs(t->vm, t->name, *tail));
            std::cout << text << std::flush;
            return 0;
        });
    });
}

void addActions(CLI::App& group, CliContext& ctx)
{
    auto t = std::make_shared<Target>();
    auto argv = std::make_shared<std::vector<std::string>>();
    auto timeout = std::make_shared<double>(0);
    auto* exec = group.add_subcommand("exec", "Run a command inside a container and wait for it");
    exec->add_option("vm", t->vm, "VM name")->required();
    exec->add_option("name", t->name, "Container name")->required();
    exec->add_option("command", *argv, "Command and arguments (after --)")->required();
    exec->add_option("--timeout", *timeout, "Kill it after this many seconds");
    exec->callback([&ctx, t, argv, timeout] {
        withService(ctx, [&](ContainerService& cs) -> Result<int> {
            protocol::GuestExecArgs command;
            command.argv = *argv;
            if (*timeout > 0)
                command.timeoutMs = static_cast<std::int64_t>(*timeout * 1000);
            PV_TRY(protocol::CommandResult result, cs.exec(t->vm, t->name, command));
            return printCommandResult(ctx, result);
        });
    });
    auto signal = std::make_shared<std::string>("KILL");
    auto all = std::make_shared<bool>(false);
    auto* kill = group.add_subcommand("kill", "Send a signal to a container's pid 1 (or all its processes)");
    kill->add_option("vm", t->vm, "VM name")->required();
    kill->add_option("name", t->name, "Container name")->required();
    kill->add_option("signal", *signal, "Signal name or number (default KILL)");
    kill->add_flag("--all", *all, "Every process of the container");
    kill->callback([&ctx, t, signal, all] {
        withService(ctx, [&](ContainerService& cs) -> Result<int> {
            PV_TRY(int number, protocol::signalFromText(*signal));
            PV_TRY(protocol::ContainerKillResult r, cs.kill(t->vm, t->name, protocol::Signal{number}, *all));
            return ctx.print(protocol::encode(r), t->name);
        });
    });
    auto grace = std::make_shared<double>(10);
    auto* stop = group.add_subcommand("stop", "Stop a container: TERM, then KILL after the timeout");
    stop->add_option("vm", t->vm, "VM name")->required();
    stop->add_option("name", t->name, "Container name")->required();
    stop->add_option("--timeout,-t", *grace, "Seconds between TERM and KILL")->capture_default_str();
    stop->callback([&ctx, t, grace] {
        withService(ctx, [&](ContainerService& cs) -> Result<int> {
            PV_TRY(protocol::ContainerInfo c, cs.stop(t->vm, t->name, static_cast<std::int64_t>(*grace * 1000)));
            return ctx.print(protocol::encode(c), protocol::containerDetails(c));
        });
    });
    auto force = std::make_shared<bool>(false);
    auto* rm = group.add_subcommand("rm", "Remove a stopped container");
    rm->add_option("vm", t->vm, "VM name")->required();
    rm->add_option("name", t->name, "Container name")->required();
    rm->add_flag("--force,-f", *force, "Kill it first if it runs");
    rm->callback([&ctx, t, force] {
        withService(ctx, [&](ContainerService& cs) -> Result<int> {
            PV_TRY_STATUS(cs.remove(t->vm, t->name, *force));
            return ctx.print({{"vm", t->vm}, {"name", t->name}, {"removed", true}}, t->name);
        });
    });
}

} // namespace

void addContainerCommands(CLI::App& app, CliContext& ctx)
{
    auto* group = app.add_subcommand("container", "Manage containers inside VMs");
    group->require_subcommand(1);
    addCreate(*group, ctx);
    addQueries(*group, ctx);
    addActions(*group, ctx);
}

} // namespace pidvisor::manager
