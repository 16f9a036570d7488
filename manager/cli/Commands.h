// The `pidvisor` command groups; each adds its subcommands to the app.
#pragma once

#include "CliContext.h"

#include <CLI/CLI.hpp>

namespace pidvisor::manager {

void addVmCommands(CLI::App& app, CliContext& ctx);
void addContainerCommands(CLI::App& app, CliContext& ctx);
void addMiscCommands(CLI::App& app, CliContext& ctx);
void addCheckpointCommands(CLI::App& app, CliContext& ctx);
void addImageCommands(CLI::App& app, CliContext& ctx);

// Interactive serial console of a VM (Ctrl-] leaves).
int attachConsole(Connection& conn, const std::string& vm);

// Throws the command's exit code out of CLI11's callback.
[[noreturn]] inline void finish(int code)
{
    throw CLI::RuntimeError(code);
}

// Prints a command result like the agent CLI does; returns its exit code.
int printCommandResult(CliContext& ctx, const protocol::CommandResult& result);

} // namespace pidvisor::manager
