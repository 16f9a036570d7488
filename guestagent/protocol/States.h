// States: what the protocol says a container (and a committed checkpoint)
// is, as enums. Their words ("creating", "running", "stopped";
// "checkpointed") are declared here once: Schema.h's codec turns them into
// the wire's JSON, and the agent's records on disk and the manager's
// inventory store the same words through enumWord() and enumFromWord().
// Code decides on the enum, never on the words.
//
//   if (info.state == ContainerState::Running) ...
#pragma once

#include "Schema.h"

#include <array>
#include <string_view>
#include <utility>

namespace pidvisor::protocol {

// Creating: the agent reserved the name and is starting the container;
// the agent's own record only (container-info and container-list do not
// report such a container).
enum class ContainerState { Creating, Running, Stopped };

template <>
struct EnumWords<ContainerState> {
    static constexpr std::array<std::pair<ContainerState, std::string_view>, 3> kWords{
        {{ContainerState::Creating, "creating"},
         {ContainerState::Running, "running"},
         {ContainerState::Stopped, "stopped"}}};
};

// What checkpoint-commit answers: the checkpoint now stands for the
// container it ended.
enum class CheckpointState { Checkpointed };

template <>
struct EnumWords<CheckpointState> {
    static constexpr std::array<std::pair<CheckpointState, std::string_view>, 1> kWords{
        {{CheckpointState::Checkpointed, "checkpointed"}}};
};

} // namespace pidvisor::protocol
