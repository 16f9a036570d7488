// States: what a VM (libvirt's domain states) and a container (the agent's
// record) can be, as enums, each with its one conversion from and to the
// words the inventory stores and users read ("running", "shut off";
// "running", "stopped"). Code decides on the enum, never on the words.
//
//   if (vmState(record.state) == VmState::Running) ...
#pragma once

#include <string>
#include <string_view>

namespace pidvisor::manager {

enum class VmState { NoState, Running, Idle, Paused, InShutdown, ShutOff, Crashed, Suspended };

// virsh's words: "running", "idle", "paused", "in shutdown", "shut off",
// "crashed", "pmsuspended", "no state". Other words read as NoState.
[[nodiscard]] VmState vmState(std::string_view text);
[[nodiscard]] std::string vmStateText(VmState state);

enum class ContainerState { Stopped, Running };

// The agent's words: "running", "stopped". Other words read as Stopped.
[[nodiscard]] ContainerState containerState(std::string_view text);
[[nodiscard]] std::string containerStateText(ContainerState state);

} // namespace pidvisor::manager
