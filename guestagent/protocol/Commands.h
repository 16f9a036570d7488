// The protocol's version and command names: one list for both sides.
// PROTOCOL.md documents each command's arguments, result and errors.
#pragma once

#include <array>
#include <string_view>

namespace pidvisor::protocol {

// Bumped when a command is added or changes; `hello` reports it.
inline constexpr int kProtocolVersion = 2;

namespace cmd {
inline constexpr std::string_view Hello = "hello";
inline constexpr std::string_view Sync = "sync";
inline constexpr std::string_view GuestExec = "guest-exec";
inline constexpr std::string_view ContainerCreate = "container-create";
inline constexpr std::string_view ContainerList = "container-list";
inline constexpr std::string_view ContainerInfo = "container-info";
inline constexpr std::string_view ContainerPs = "container-ps";
inline constexpr std::string_view ContainerExec = "container-exec";
inline constexpr std::string_view ContainerLogs = "container-logs";
inline constexpr std::string_view ContainerKill = "container-kill";
inline constexpr std::string_view ContainerStop = "container-stop";
inline constexpr std::string_view ContainerRm = "container-rm";
// Since 2: checkpoints.
inline constexpr std::string_view ContainerCheckpoint = "container-checkpoint";
inline constexpr std::string_view ContainerRestore = "container-restore";
inline constexpr std::string_view ContainerResume = "container-resume";
inline constexpr std::string_view CheckpointList = "checkpoint-list";
inline constexpr std::string_view CheckpointRead = "checkpoint-read";
inline constexpr std::string_view CheckpointWrite = "checkpoint-write";
inline constexpr std::string_view CheckpointCommit = "checkpoint-commit";
inline constexpr std::string_view CheckpointDelete = "checkpoint-delete";
inline constexpr std::string_view DebugRawRead = "debug-raw-read";
} // namespace cmd

} // namespace pidvisor::protocol
