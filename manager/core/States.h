// States: what a VM (libvirt's domain states), a container (the agent's
// record) and an operation of the audit log can be, as enums, each with its
// one conversion from and to the words the inventory stores and users read
// ("running", "shut off"; "running", "stopped"; "ok", "error"). Code
// decides on the enum, never on the words; the words are read only where
// text enters (the inventory's SQLite rows) and written where text leaves
// (the inventory, the CLI's output, the GUI's labels).
//
//   if (record.state == VmState::Running) ...
#pragma once

#include "protocol/States.h"

#include <string>
#include <string_view>

namespace pidvisor::manager {

enum class VmState { NoState, Running, Idle, Paused, InShutdown, ShutOff, Crashed, Suspended };

// virsh's words: "running", "idle", "paused", "in shutdown", "shut off",
// "crashed", "pmsuspended", "no state". Other words read as NoState.
[[nodiscard]] VmState vmState(std::string_view text);
[[nodiscard]] std::string vmStateText(VmState state);

// The agent's enum (protocol/States.h), so what the agent reports is used
// as it is; its words are the protocol's.
using ContainerState = protocol::ContainerState;

// The agent's words: "creating", "running", "stopped". Other words read as
// Stopped.
[[nodiscard]] ContainerState containerState(std::string_view text);
[[nodiscard]] std::string containerStateText(ContainerState state);

// How an operation of the audit log ended, or that it still runs.
enum class OperationOutcome { Running, Ok, Error, Cancelled };

// "running", "ok", "error", "cancelled" (the operations table's CHECK).
// Other words read as Error.
[[nodiscard]] OperationOutcome operationOutcome(std::string_view text);
[[nodiscard]] std::string operationOutcomeText(OperationOutcome outcome);

} // namespace pidvisor::manager
