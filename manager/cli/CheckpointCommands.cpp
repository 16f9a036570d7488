#include "Commands.h"

#include "checkpoint/CheckpointService.h"
#include "checkpoint/CheckpointTransfer.h"

#include "protocol/ObjectText.h"
#include "protocol/TextTable.h"

namespace pidvisor::manager {

using nlohmann::json;

namespace {

std::string pidMapTable(const json& pidMap)
{
    TextTable t({"VPID", "VPPID", "PGID", "SID", "PID(at dump)", "COMM"});
    for (const auto& p : pidMap)
        t.addRow({std::to_string(p.value("vpid", 0)), std::to_string(p.value("vppid", 0)),
                  std::to_string(p.value("pgid", 0)), std::to_string(p.value("sid", 0)),
                  std::to_string(p.value("pid", 0)), p.value("comm", "")});
    return t.render();
}

std::string details(const json& c)
{
    json d = c.value("durations", json::object());
    std::string text = "id:          " + c.value("id", "") + "\nfrom:        " + c.value("vm", "") + "/" +
                       c.value("container", "") + "\ncreated:     " +
                       protocol::formatLocalTime(c.value("created_at", std::int64_t{0})) + "\nstatus:      " +
                       c.value("status", "") + "\nsize:        " + formatBytes(c.value("size", std::uint64_t{0})) +
                       "\nsha256:      " + c.value("sha256", "") + "\npath:        " + c.value("path", "") +
                       "\nkernel:      " + c.value("kernel_release", "") + "\ncriu:        " +
                       c.value("criu_version", "") + "\ndurations:   " + d.dump() + "\n";
    if (!c.value("tag", "").empty())
        text += "tag:         " + c.value("tag", "") + "\n";
    return text + "\n" + pidMapTable(c.value("pid_map", json::array()));
}

template <class Body>
void withCheckpoints(CliContext& ctx, Body body)
{
    finish(runCommand(ctx, [&]() -> Result<int> {
        PV_TRY(CheckpointService * service, ctx.checkpoints());
        return body(*service);
    }));
}

void addContainerSide(CLI::App& container, CliContext& ctx)
{
    struct Args {
        std::string vm, name, target, checkpoint, tag;
        bool leaveRunning = false, live = false, tcpClose = false;
    };
    auto a = std::make_shared<Args>();
    auto* cp = container.add_subcommand("checkpoint", "Checkpoint a container into the host's store (it ends once saved)");
    cp->add_option("vm", a->vm, "VM name")->required();
    cp->add_option("name", a->name, "Container name")->required();
    cp->add_flag("--leave-running", a->leaveRunning, "Keep the container running");
    cp->add_option("--tag", a->tag, "A label to remember it by");
    cp->callback([&ctx, a] {
        withCheckpoints(ctx, [&](CheckpointService& s) -> Result<int> {
            PV_TRY(CheckpointRecord c, s.checkpoint(a->vm, a->name, {a->leaveRunning, a->tag}, ctx.progress()));
            return ctx.print(CheckpointService::toJson(c), "checkpoint " + c.id + ": " + formatBytes(c.sizeBytes) +
                                                                ", " + std::to_string(c.processes.size()) +
                                                                " processes, in " + c.path);
        });
    });
    auto* rs = container.add_subcommand("restore", "Restore a checkpoint into a VM, with the same virtual pids");
    rs->add_option("checkpoint", a->checkpoint, "Checkpoint id (or a unique prefix)")->required();
    rs->add_option("--vm", a->vm, "Target VM")->required();
    rs->add_option("--name", a->name, "New container name (default: the checkpointed one)");
    rs->add_flag("--tcp-close", a->tcpClose,
                 "Its TCP connections come back closed (default: established, for a peer that kept them)");
    rs->callback([&ctx, a] {
        withCheckpoints(ctx, [&](CheckpointService& s) -> Result<int> {
            PV_TRY(protocol::ContainerRestoreResult c,
                   s.restore(a->checkpoint, a->vm, a->name, ctx.progress(), {}, a->tcpClose));
            json out = protocol::encode(c);
            out["vm"] = a->vm;
            return ctx.print(out, protocol::containerDetails(c) + "restored from: " + c.restoredFrom.value_or("") + "\n");
        });
    });
    auto* mg = container.add_subcommand("migrate", "Move a running container to another VM");
    mg->add_option("vm", a->vm, "Source VM")->required();
    mg->add_option("name", a->name, "Container name")->required();
    mg->add_option("--to", a->target, "Target VM")->required();
    mg->add_flag("--live", a->live, "Copy memory while it runs (pre-dumps), then a short final dump");
    mg->callback([&ctx, a] {
        withCheckpoints(ctx, [&](CheckpointService& s) -> Result<int> {
            PV_TRY(MigrationReport r, s.migrate(a->vm, a->name, a->target, a->live, ctx.progress()));
            std::string text = "container '" + r.container + "' moved from VM '" + r.sourceVm + "' to VM '" +
                               r.targetVm + "' (" + (r.live ? "live" : "stop-and-copy") +
                               "), downtime " + std::to_string(r.downtimeMs) + " ms\n";
            for (const auto& round : r.rounds)
                text += "  round " + std::to_string(round.round) + ": " + formatBytes(round.bytes) + " in " +
                        std::to_string(round.millis) + " ms\n";
            return ctx.print(r.toJson(), text + "checkpoint: " + r.checkpoint.id);
        });
    });
}

void addStoreSide(CLI::App& app, CliContext& ctx)
{
    auto* group = app.add_subcommand("checkpoint", "Checkpoints in the host's store");
    group->require_subcommand(1);
    group->add_subcommand("list", "List checkpoints, newest first")->callback([&ctx] {
        withCheckpoints(ctx, [&](CheckpointService& s) -> Result<int> {
            PV_TRY(auto list, s.list());
            json arr = json::array();
            TextTable t({"ID", "VM", "CONTAINER", "CREATED", "SIZE", "STATUS", "TAG"});
            for (const auto& c : list) {
                arr.push_back(CheckpointService::toJson(c));
                t.addRow({c.id, c.vmName, c.containerName, protocol::formatLocalTime(c.createdAt),
                          formatBytes(static_cast<std::uint64_t>(c.sizeBytes)), c.status, c.tag});
            }
            return ctx.print(arr, t.render());
        });
    });
    auto id = std::make_shared<std::string>();
    auto* show = group->add_subcommand("show", "Show a checkpoint and its pid map");
    show->add_option("id", *id, "Checkpoint id (or a unique prefix)")->required();
    show->callback([&ctx, id] {
        withCheckpoints(ctx, [&](CheckpointService& s) -> Result<int> {
            PV_TRY(CheckpointRecord c, s.find(*id));
            json j = CheckpointService::toJson(c);
            return ctx.print(j, details(j));
        });
    });
    auto* verify = group->add_subcommand("verify", "Check every file of a checkpoint against its sha256");
    verify->add_option("id", *id, "Checkpoint id (or a unique prefix)")->required();
    verify->callback([&ctx, id] {
        withCheckpoints(ctx, [&](CheckpointService& s) -> Result<int> {
            PV_TRY_STATUS(s.verify(*id, ctx.progress()));
            PV_TRY(CheckpointRecord c, s.find(*id));
            return ctx.print({{"id", c.id}, {"verified", true}}, "checkpoint " + c.id + " is intact");
        });
    });
    auto* rm = group->add_subcommand("rm", "Delete a checkpoint from the store");
    rm->add_option("id", *id, "Checkpoint id (or a unique prefix)")->required();
    rm->callback([&ctx, id] {
        withCheckpoints(ctx, [&](CheckpointService& s) -> Result<int> {
            PV_TRY(CheckpointRecord c, s.find(*id));
            PV_TRY_STATUS(s.remove(c.id));
            return ctx.print({{"id", c.id}, {"removed", true}}, "checkpoint " + c.id + " removed");
        });
    });
}

} // namespace

void addCheckpointCommands(CLI::App& app, CliContext& ctx)
{
    addContainerSide(*app.get_subcommand("container"), ctx);
    addStoreSide(app, ctx);
}

} // namespace pidvisor::manager
