// CliContext: what every `pidvisor` command needs, opened on first use:
// the inventory, the Host (host/Host.h: the libvirt connection, reconciled
// with the inventory when it opens, and the services over it), and the
// output conventions (tables or --json on stdout, progress and errors on
// stderr, exit codes).
#pragma once

#include "core/Progress.h"
#include "host/Host.h"
#include "inventory/Inventory.h"

#include <memory>
#include <optional>
#include <string>

namespace pidvisor::manager {

struct GlobalOptions {
    std::optional<std::string> db;
    std::string uri = "qemu:///system";
    bool json = false;
    std::string agentTransport = "auto";
};

class CliContext {
public:
    // `options` is read when a command runs, after the command line was parsed.
    explicit CliContext(const GlobalOptions& options) : m_options(options) {}
    ~CliContext();

    [[nodiscard]] const GlobalOptions& options() const { return m_options; }
    [[nodiscard]] Result<Inventory*> inventory();
    [[nodiscard]] Result<VmService*> vms();
    [[nodiscard]] Result<ContainerService*> containers();
    [[nodiscard]] Result<CheckpointService*> checkpoints();
    [[nodiscard]] Result<Host*> host();

    // Draws progress on stderr: one updating line on a terminal, a line per
    // stage otherwise.
    [[nodiscard]] ProgressFn progress();
    void endProgress();

    // Prints the error ("pidvisor: code: message") and returns the exit code.
    int error(const Error& error);
    // --json prints `value`, otherwise `text`. Returns 0.
    int print(const nlohmann::json& value, const std::string& text);

private:
    const GlobalOptions& m_options;
    std::unique_ptr<Inventory> m_inventory;
    std::unique_ptr<Host> m_host;
    std::string m_lastStage;
    int m_lastPercent = -1;
    bool m_progressLine = false;
};

// Runs a command body that returns its exit code, turning an error into one.
template <class Fn>
int runCommand(CliContext& ctx, Fn&& body)
{
    auto code = body();
    if (!code)
        return ctx.error(code.error());
    return *code;
}

} // namespace pidvisor::manager
