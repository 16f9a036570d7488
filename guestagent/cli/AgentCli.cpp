#include "AgentCli.h"

#include "AgentClient.h"
#include "CliOutput.h"

#include "daemon/AgentServer.h"
#include "protocol/ImageDefaults.h"
#include "protocol/ObjectText.h"
#include "pidvisor/Version.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace pidvisor::agent {

using nlohmann::json;

namespace {

struct Globals {
    std::string socket = "/run/pidvisor/agent.sock";
    bool json = false;
};

struct CreateOptions {
    std::string name, hostname, cwd, image;
    std::vector<std::string> command, env;
    std::int64_t memoryMiB = 0, pids = 0;
    bool init = false;
    bool privileged = false;
    bool userns = false;
    std::int64_t usernsBase = 0;
};

struct ExecOptions {
    std::string name, cwd = "/";
    std::vector<std::string> command, env;
    double timeout = 0;
};

// A person waits for what they asked for: no deadline of the client's own.
const protocol::CallOptions kWait{std::chrono::hours(24), {}, {}, {}};

// Connects, makes one typed call and prints its result (or its error).
template <class Call, class Print>
int callAndPrint(const Globals& g, const Call& call, const Print& print)
{
    auto client = AgentClient::connect(g.socket);
    if (!client)
        return reportError(client.error());
    auto result = call(*client);
    if (!result)
        return reportError(result.error());
    return print(*result);
}

void addContainerCommands(CLI::App& app, Globals& g)
{
    auto* container = app.add_subcommand("container", "Manage containers in this VM");
    container->require_subcommand(1);

    auto create = std::make_shared<CreateOptions>();
    auto* c = container->add_subcommand("create", "Create and start a container");
    c->add_option("name", create->name, "Container name")->required();
    c->add_option("command", create->command, "Command and arguments (after --; with --image: the image's default)");
    c->add_option("--image", create->image, "An image this VM has (name or digest): its files are the root");
    c->add_option("--hostname", create->hostname, "Hostname inside the container (default: its name)");
    c->add_option("--memory", create->memoryMiB, "Memory limit in MiB (cgroup v2)");
    c->add_option("--pids", create->pids, "Maximum number of processes (cgroup v2)");
    c->add_option("--env,-e", create->env, "Environment variable KEY=VALUE (repeatable)");
    c->add_option("--cwd", create->cwd, "Working directory inside the container");
    c->add_flag("--init", create->init, "Run a tiny reaping init as pid 1 that forwards signals");
    c->add_flag("--privileged", create->privileged,
                "Every capability, no seccomp filter, no masked or read-only paths (default: confined)");
    c->add_flag("--userns", create->userns, "Its own user namespace: its root is an unprivileged uid range of the VM (65536 ids)");
    c->add_option("--userns-base", create->usernsBase, "With --userns: the VM uid its root is (default: a free range from 100000 on)");
    c->callback([&g, create] {
        protocol::ContainerSpec spec;
        spec.name = create->name;
        spec.argv = create->command;
        spec.env = create->env;
        if (create->image.empty() && create->command.empty())
            throw CLI::RuntimeError(reportError(
                Error{ErrorCode::InvalidArgument, "a command is needed after -- (or an --image with a default one)"}));
        spec.init = create->init;
        spec.privileged = create->privileged;
        auto userns = protocol::userNamespaceOption(create->userns, create->usernsBase);
        if (!userns)
            throw CLI::RuntimeError(reportError(userns.error()));
        spec.userns = *userns;
        if (!create->hostname.empty())
            spec.hostname = create->hostname;
        if (!create->cwd.empty())
            spec.cwd = create->cwd;
        if (create->memoryMiB > 0)
            spec.memoryMiB = create->memoryMiB;
        if (create->pids > 0)
            spec.pidsMax = create->pids;
        auto fromImage = [&](AgentClient& a) -> Status {
            if (create->image.empty())
                return {};
            PV_TRY(protocol::ImageListResult images, a.imageList(kWait));
            for (const auto& image : images.images)
                if (image.name == create->image || image.digest == create->image)
                    return protocol::applyImage(spec, image, create->command, !create->cwd.empty());
            return fail(ErrorCode::NotFound, "image '" + create->image + "' is not on this VM (see 'image list')");
        };
        throw CLI::RuntimeError(callAndPrint(
            g,
            [&](AgentClient& a) -> Result<protocol::ContainerInfo> {
                PV_TRY_STATUS(fromImage(a));
                return a.containerCreate(spec, kWait);
            },
            [&](const protocol::ContainerInfo& shown) { return printContainerInfo(shown, g.json); }));
    });

    container->add_subcommand("list", "List containers")->callback([&g] {
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.containerList(kWait); },
            [&](const protocol::ContainerListResult& r) { return printContainerList(r.containers, g.json); }));
    });

    auto name = std::make_shared<std::string>();
    auto* start = container->add_subcommand("start", "Run a stopped container again on its files");
    start->add_option("name", *name, "Container name")->required();
    start->callback([&g, name] {
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.containerStart(*name, kWait); },
            [&](const protocol::ContainerInfo& shown) { return printContainerInfo(shown, g.json); }));
    });

    auto* info = container->add_subcommand("info", "Show one container");
    info->add_option("name", *name, "Container name")->required();
    info->callback([&g, name] {
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.containerInfo(*name, kWait); },
            [&](const protocol::ContainerInfo& shown) { return printContainerInfo(shown, g.json); }));
    });

    auto* ps = container->add_subcommand("ps", "List a container's processes: virtual and global pids");
    ps->add_option("name", *name, "Container name")->required();
    ps->callback([&g, name] {
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.containerPs(*name, kWait); },
            [&](const protocol::ContainerPsResult& r) { return printProcesses(r.processes, g.json); }));
    });

    auto exec = std::make_shared<ExecOptions>();
    auto* ex = container->add_subcommand("exec", "Run a command inside a container and wait for it");
    ex->add_option("name", exec->name, "Container name")->required();
    ex->add_option("command", exec->command, "Command and arguments (after --)")->required();
    ex->add_option("--env,-e", exec->env, "Environment variable KEY=VALUE (repeatable)");
    ex->add_option("--cwd", exec->cwd, "Working directory");
    ex->add_option("--timeout", exec->timeout, "Kill the command after this many seconds");
    ex->callback([&g, exec] {
        protocol::ContainerExecArgs args;
        args.name = exec->name;
        args.argv = exec->command;
        args.cwd = exec->cwd;
        args.env = exec->env;
        if (exec->timeout > 0)
            args.timeoutMs = static_cast<std::int64_t>(exec->timeout * 1000);
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.containerExec(args, kWait); },
            [&](const protocol::CommandResult& r) { return printCommandResult(r, g.json); }));
    });

    auto tail = std::make_shared<std::int64_t>(0);
    auto* logs = container->add_subcommand("logs", "Print a container's console output");
    logs->add_option("name", *name, "Container name")->required();
    logs->add_option("--tail", *tail, "Only the last N bytes");
    logs->callback([&g, name, tail] {
        protocol::ContainerLogsArgs args{*name, {}};
        if (*tail > 0)
            args.tailBytes = *tail;
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.containerLogs(args, kWait); },
            [&](const protocol::ContainerLogsResult& r) {
                std::cout << r.payload << std::flush;
                return 0;
            }));
    });

    auto signal = std::make_shared<std::string>("KILL");
    auto all = std::make_shared<bool>(false);
    auto* kill = container->add_subcommand("kill", "Send a signal to a container's init (or all its processes)");
    kill->add_option("name", *name, "Container name")->required();
    kill->add_option("signal", *signal, "Signal name or number (default KILL)");
    kill->add_flag("--all", *all, "Signal every process of the container");
    kill->callback([&g, name, signal, all] {
        auto number = protocol::signalFromText(*signal);
        if (!number)
            throw CLI::RuntimeError(reportError(number.error()));
        protocol::ContainerKillArgs args{*name, protocol::Signal{*number}, *all};
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.containerKill(args, kWait); },
            [&](const protocol::ContainerKillResult& r) { return printJsonOr(protocol::encode(r), g.json, *name); }));
    });

    auto grace = std::make_shared<double>(10);
    auto* stop = container->add_subcommand("stop", "Stop a container: TERM, then KILL after the timeout");
    stop->add_option("name", *name, "Container name")->required();
    stop->add_option("--timeout,-t", *grace, "Seconds to wait after TERM (default 10)");
    stop->callback([&g, name, grace] {
        protocol::ContainerStopArgs args{*name, static_cast<std::int64_t>(*grace * 1000)};
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.containerStop(args, kWait); },
            [&](const protocol::ContainerInfo& shown) { return printContainerInfo(shown, g.json); }));
    });

    auto force = std::make_shared<bool>(false);
    auto* rm = container->add_subcommand("rm", "Remove a stopped container and its files");
    rm->add_option("name", *name, "Container name")->required();
    rm->add_flag("--force,-f", *force, "Kill it first if it is running");
    rm->callback([&g, name, force] {
        protocol::ContainerRmArgs args{*name, *force};
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.containerRm(args, kWait); },
            [&](const protocol::ContainerRmResult& r) { return printJsonOr(protocol::encode(r), g.json, *name); }));
    });
}

void addImageCommands(CLI::App& app, Globals& g)
{
    auto* image = app.add_subcommand("image", "Container images this VM has (disks the host attached)");
    image->require_subcommand(1);
    image->add_subcommand("list", "List the images on this VM's image disks")->callback([&g] {
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.imageList(kWait); },
            [&](const protocol::ImageListResult& r) { return printImageList(r.images, g.json); }));
    });
}

void addCheckpointCommands(CLI::App& app, Globals& g)
{
    auto name = std::make_shared<std::string>();
    auto id = std::make_shared<std::string>();
    auto leaveRunning = std::make_shared<bool>(false);
    auto tag = std::make_shared<std::string>();
    auto* container = app.get_subcommand("container");
    auto* cp = container->add_subcommand("checkpoint", "Checkpoint a container with CRIU (it ends once saved)");
    cp->add_option("name", *name, "Container name")->required();
    cp->add_flag("--leave-running", *leaveRunning, "Keep the container running");
    cp->add_option("--id", *id, "Checkpoint id (default: a new one)");
    cp->add_option("--tag", *tag, "A label to remember it by");
    cp->callback([&g, name, id, leaveRunning, tag] {
        protocol::ContainerCheckpointArgs args;
        args.name = *name;
        args.after = *leaveRunning ? "run" : "kill";
        if (!id->empty())
            args.id = *id;
        args.tag = *tag;
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.containerCheckpoint(args, kWait); },
            [&](const protocol::CheckpointManifest& m) {
                return printJsonOr(m, g.json, "checkpoint " + m.value("id", "") + " of " + m.value("container", "") +
                                                  ": " + std::to_string(m.value("size", 0) / 1024) + " KiB, " +
                                                  std::to_string(m.value("pid_map", json::array()).size()) +
                                                  " processes");
            }));
    });
    auto* rs = container->add_subcommand("restore", "Restore a checkpoint as a container (same virtual pids)");
    rs->add_option("id", *id, "Checkpoint id")->required();
    rs->add_option("--name", *name, "New container name (default: the checkpointed one)");
    rs->callback([&g, id, name] {
        protocol::ContainerRestoreArgs args{*id, {}};
        if (!name->empty())
            args.name = *name;
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.containerRestore(args, kWait); },
            [&](const protocol::ContainerRestoreResult& info) { return printContainerInfo(info, g.json); }));
    });
    auto* group = app.add_subcommand("checkpoint", "Checkpoints kept in this VM");
    group->require_subcommand(1);
    group->add_subcommand("list", "List checkpoints")->callback([&g] {
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.checkpointList(kWait); },
            [&](const protocol::CheckpointListResult& r) {
                std::string text;
                for (const auto& c : r.checkpoints)
                    text += c.id + "  " + c.container.value_or("?") + "  " + std::to_string(c.size.value_or(0) / 1024) +
                            " KiB\n";
                return printJsonOr(protocol::encode(r)["checkpoints"], g.json, text);
            }));
    });
    auto* rm = group->add_subcommand("rm", "Delete a checkpoint");
    rm->add_option("id", *id, "Checkpoint id")->required();
    rm->callback([&g, id] {
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.checkpointDelete(*id, kWait); },
            [&](const protocol::CheckpointDeleteResult& r) { return printJsonOr(protocol::encode(r), g.json, *id); }));
    });
}

} // namespace

int runAgentCli(int argc, char** argv)
{
    CLI::App app{"pidvisor-agent: containers with private pid spaces inside a Pidvisor VM"};
    app.set_version_flag("--version", std::string(PIDVISOR_VERSION));
    app.require_subcommand(1);
    app.fallthrough();
    Globals g;
    app.add_option("--socket", g.socket, "Agent socket")->capture_default_str();
    app.add_flag("--json", g.json, "Machine-readable output");

    ServeOptions serveOptions;
    serveOptions.version = PIDVISOR_VERSION;
    auto* serveCmd = app.add_subcommand("serve", "Run the agent daemon");
    serveCmd->add_option("--state-dir", serveOptions.stateDir, "State directory")->capture_default_str();
    serveCmd->add_option("--images-dir", serveOptions.imagesDir, "Where container images are mounted")
        ->capture_default_str();
    serveCmd->add_flag("!--no-image-disks", serveOptions.imageDisks,
                       "Only image directories already in --images-dir (no disks are mounted)");
    serveCmd->add_option("--port", serveOptions.portPath,
                         "Stream to the host: virtio-serial port, pty, or unix socket to connect to");
    serveCmd->add_option("--pid-space", serveOptions.pidSpace, "How pid spaces are made")
        ->check(CLI::IsMember({"auto", "clone3", "proc-container"}))
        ->capture_default_str();
    serveCmd->add_option("--init-binary", serveOptions.initBinary, "Path of pidvisor-init");
    serveCmd->callback([&] {
        serveOptions.socketPath = g.socket;
        throw CLI::RuntimeError(serve(serveOptions));
    });

    app.add_subcommand("info", "Show the agent's versions and capabilities")->callback([&g] {
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.hello("pidvisor-agent", kWait); },
            [&](const protocol::HelloResult& h) {
                return printJsonOr(protocol::encode(h), g.json, protocol::helloText(h));
            }));
    });

    auto guestExec = std::make_shared<ExecOptions>();
    auto* ge = app.add_subcommand(std::string(protocol::command::kGuestExec.name), "Run a command in the VM itself, outside any container");
    ge->add_option("command", guestExec->command, "Command and arguments (after --)")->required();
    ge->add_option("--timeout", guestExec->timeout, "Kill the command after this many seconds");
    ge->callback([&g, guestExec] {
        protocol::GuestExecArgs args;
        args.argv = guestExec->command;
        if (guestExec->timeout > 0)
            args.timeoutMs = static_cast<std::int64_t>(guestExec->timeout * 1000);
        throw CLI::RuntimeError(callAndPrint(
            g, [&](AgentClient& a) { return a.guestExec(args, kWait); },
            [&](const protocol::CommandResult& r) { return printCommandResult(r, g.json); }));
    });

    addContainerCommands(app, g);
    addCheckpointCommands(app, g);
    addImageCommands(app, g);

    try {
        app.parse(argc, argv);
    } catch (const CLI::RuntimeError& e) {
        return e.get_exit_code();
    } catch (const CLI::ParseError& e) {
        // Help and version are successes; every other parse error is usage.
        return app.exit(e) == 0 ? 0 : 2;
    }
    return 0;
}

} // namespace pidvisor::agent
