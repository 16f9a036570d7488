#include "Cli.h"

#include "Commands.h"
#include "Completion.h"

#include "protocol/Commands.h"
#include "pidvisor/Version.h"

#include <cstdlib>
#include <iostream>

namespace pidvisor::manager {

namespace {

void addVersion(CLI::App& app, CliContext& ctx)
{
    app.add_subcommand("version", "Versions of Pidvisor, libvirt and QEMU")->callback([&ctx] {
        finish(runCommand(ctx, [&]() -> Result<int> {
            nlohmann::json v{{"pidvisor", PIDVISOR_VERSION}, {"agent_protocol", protocol::kProtocolVersion}};
            std::string text = std::string("pidvisor ") + PIDVISOR_VERSION + " (agent protocol " +
                               std::to_string(protocol::kProtocolVersion) + ")";
            if (auto vms = ctx.vms()) {
                v["uri"] = ctx.options().uri;
                v["libvirt"] = (*vms)->connection().libvirtVersion();
                v["qemu"] = (*vms)->connection().hypervisorVersion();
                text += "\nlibvirt " + v["libvirt"].get<std::string>() + ", QEMU " + v["qemu"].get<std::string>() +
                        " at " + ctx.options().uri;
            } else {
                text += "\nlibvirt: " + vms.error().message;
            }
            return ctx.print(v, text);
        }));
    });
}

} // namespace

void definePidvisorCli(CLI::App& app, GlobalOptions& options, CliContext& ctx)
{
    app.set_version_flag("--version", std::string(PIDVISOR_VERSION));
    // Not require_subcommand: CLI11 would then hide an unknown command's
    // name behind "A subcommand is required".
    app.require_subcommand(0, 1);
    app.fallthrough();
    app.callback([&app] {
        if (app.get_subcommands().empty())
            throw CLI::CallForHelp();
    });
    if (const char* uri = std::getenv("PIDVISOR_URI"))
        options.uri = uri;
    app.add_option_function<std::string>(
        "--db", [&options](const std::string& path) { options.db = path; },
        "Inventory file (default: $XDG_DATA_HOME/pidvisor/inventory.db)");
    app.add_option("--connect,-c", options.uri, "libvirt URI (default qemu:///system, or $PIDVISOR_URI)");
    app.add_flag("--json", options.json, "Machine-readable output");
    app.add_option("--agent-transport", options.agentTransport,
                   "How to reach agents: auto, socket (the channel's unix socket), stream (libvirt)")
        ->check(CLI::IsMember({"auto", "socket", "stream"}));
    addVmCommands(app, ctx);
    addContainerCommands(app, ctx);
    addImageCommands(app, ctx);
    addMiscCommands(app, ctx);
    addCheckpointCommands(app, ctx);
    addVersion(app, ctx);
    addCompleteCommand(app);
}

int runPidvisorCli(int argc, char** argv)
{
    CLI::App app{kPidvisorCliDescription};
    GlobalOptions options;
    // Commands run after parsing, so the context sees every global option
    // wherever it stood on the line.
    CliContext ctx(options);
    definePidvisorCli(app, options, ctx);
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

} // namespace pidvisor::manager
