#include "States.h"

#include <array>
#include <utility>

namespace pidvisor::manager {

namespace {
constexpr std::array<std::pair<VmState, std::string_view>, 8> kVmWords{{{VmState::NoState, "no state"},
                                                                      {VmState::Running, "running"},
                                                                      {VmState::Idle, "idle"},
                                                                      {VmState::Paused, "paused"},
                                                                      {VmState::InShutdown, "in shutdown"},
                                                                      {VmState::ShutOff, "shut off"},
                                                                      {VmState::Crashed, "crashed"},
                                                                      {VmState::Suspended, "pmsuspended"}}};
constexpr std::string_view kContainerRunning = "running", kContainerStopped = "stopped";
} // namespace

VmState vmState(std::string_view text)
{
    for (const auto& [state, word] : kVmWords)
        if (word == text)
            return state;
    return VmState::NoState;
}

std::string vmStateText(VmState state)
{
    for (const auto& [s, word] : kVmWords)
        if (s == state)
            return std::string(word);
    return "no state";
}

ContainerState containerState(std::string_view text)
{
    return text == kContainerRunning ? ContainerState::Running : ContainerState::Stopped;
}

std::string containerStateText(ContainerState state)
{
    return std::string(state == ContainerState::Running ? kContainerRunning : kContainerStopped);
}

} // namespace pidvisor::manager
