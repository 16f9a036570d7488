// Commands: the agent protocol's command table, the one declaration of
// every command: its name, argument and result types (Types.h), the errors
// it may answer and the protocol version that added it (QEMU's
// qga/qapi-schema.json `Since:`).
//
// Why a C++ table and not a schema file that generates C++: the types are
// plain structs that the compiler checks and that handlers and clients use
// directly; Schema.h derives each record's JSON conversion from its
// fields(), so there is no generator to build, run and keep in step, and a
// new field or command is one line here. What a generator would also give,
// the reference in PROTOCOL.md, is checked instead: ProtocolDocTest fails
// when a command, argument, result field or "Since" there differs from
// this table.
//
// The agent registers one typed handler per entry (daemon/Dispatcher.cpp);
// clients call them through AgentCalls (AgentCalls.h). No code outside
// guestagent/protocol/ spells a command's name (SourceScanTest).
#pragma once

#include "Error.h"
#include "Types.h"

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <tuple>

namespace pidvisor::protocol {

// Bumped when a command is added or changes. `hello` carries the client's
// and reports the agent's; either side refuses a difference with
// "protocol version N, need M". 3: typed records, hello requires the
// client's version, debug-raw-read removed. 4: container images (image-list,
// the spec's image, uid and gid). 5: a network namespace per container (the
// spec's network), container-restore's tcp_close. 6: network-probe, the
// confinement's devices.
inline constexpr int kProtocolVersion = 7;

// The error codes a command may answer (besides protocol_error, internal,
// unavailable and timeout, which any request may meet).
struct ErrorSet {
    std::uint32_t bits = 0;
    constexpr ErrorSet(std::initializer_list<ErrorCode> codes)
    {
        for (auto c : codes)
            bits |= 1u << static_cast<unsigned>(c);
    }
    [[nodiscard]] constexpr bool has(ErrorCode c) const { return bits & (1u << static_cast<unsigned>(c)); }
};

template <class A, class R>
struct Command {
    using Args = A;
    using Result = R;
    std::string_view name;
    int since;
    ErrorSet errors;
};

namespace command {

using enum ErrorCode;

inline constexpr Command<HelloArgs, HelloResult> kHello{"hello", 1, {InvalidArgument, Unsupported}};
inline constexpr Command<SyncArgs, SyncResult> kSync{"sync", 1, {InvalidArgument}};
inline constexpr Command<GuestExecArgs, CommandResult> kGuestExec{"guest-exec", 1, {InvalidArgument, NotFound}};
inline constexpr Command<ContainerCreateArgs, ContainerInfo> kContainerCreate{
    "container-create", 1, {InvalidArgument, AlreadyExists, NotFound, FailedPrecondition}};
inline constexpr Command<NoArgs, ContainerListResult> kContainerList{"container-list", 1, {InvalidArgument}};
inline constexpr Command<ContainerRef, ContainerInfo> kContainerInfo{"container-info", 1, {InvalidArgument, NotFound}};
inline constexpr Command<ContainerRef, ContainerPsResult> kContainerPs{"container-ps", 1, {InvalidArgument, NotFound}};
inline constexpr Command<ContainerExecArgs, CommandResult> kContainerExec{
    "container-exec", 1, {InvalidArgument, NotFound, FailedPrecondition}};
inline constexpr Command<ContainerLogsArgs, ContainerLogsResult> kContainerLogs{
    "container-logs", 1, {InvalidArgument, NotFound}};
inline constexpr Command<ContainerKillArgs, ContainerKillResult> kContainerKill{
    "container-kill", 1, {InvalidArgument, NotFound, FailedPrecondition}};
inline constexpr Command<ContainerStopArgs, ContainerInfo> kContainerStop{"container-stop", 1, {InvalidArgument, NotFound}};
inline constexpr Command<ContainerRmArgs, ContainerRmResult> kContainerRm{
    "container-rm", 1, {InvalidArgument, NotFound, FailedPrecondition}};
inline constexpr Command<ContainerCheckpointArgs, CheckpointManifest> kContainerCheckpoint{
    "container-checkpoint", 2, {InvalidArgument, NotFound, FailedPrecondition, AlreadyExists}};
inline constexpr Command<ContainerRestoreArgs, ContainerRestoreResult> kContainerRestore{
    "container-restore", 2, {InvalidArgument, NotFound, AlreadyExists, Unsupported}};
inline constexpr Command<ContainerRef, ContainerResumeResult> kContainerResume{
    "container-resume", 2, {InvalidArgument, NotFound}};
inline constexpr Command<ContainerRef, ContainerInfo> kContainerStart{
    "container-start", 4, {InvalidArgument, NotFound, FailedPrecondition}};
inline constexpr Command<NoArgs, ImageListResult> kImageList{"image-list", 4, {InvalidArgument}};
inline constexpr Command<NetworkProbeArgs, NetworkProbeResult> kNetworkProbe{
    "network-probe", 6, {InvalidArgument, FailedPrecondition}};
inline constexpr Command<NoArgs, CheckpointListResult> kCheckpointList{"checkpoint-list", 2, {InvalidArgument}};
inline constexpr Command<CheckpointReadArgs, CheckpointReadResult> kCheckpointRead{
    "checkpoint-read", 2, {InvalidArgument, NotFound}};
inline constexpr Command<CheckpointWriteArgs, CheckpointWriteResult> kCheckpointWrite{
    "checkpoint-write", 2, {InvalidArgument, AlreadyExists}};
inline constexpr Command<CheckpointRef, CheckpointCommitResult> kCheckpointCommit{
    "checkpoint-commit", 2, {InvalidArgument, NotFound}};
inline constexpr Command<CheckpointRef, CheckpointDeleteResult> kCheckpointDelete{
    "checkpoint-delete", 2, {InvalidArgument, NotFound}};

} // namespace command

// Every command, in the order PROTOCOL.md lists them.
inline constexpr auto kCommands =
    std::tuple{command::kHello,          command::kSync,           command::kGuestExec,
               command::kContainerCreate, command::kContainerList,  command::kContainerInfo,
               command::kContainerPs,    command::kContainerExec,  command::kContainerLogs,
               command::kContainerKill,  command::kContainerStop,  command::kContainerRm,
               command::kContainerCheckpoint, command::kContainerRestore, command::kContainerResume,
               command::kCheckpointList, command::kCheckpointRead, command::kCheckpointWrite,
               command::kCheckpointCommit, command::kCheckpointDelete, command::kContainerStart,
               command::kImageList,      command::kNetworkProbe};

// Calls f(command) for every command of the table.
template <class F>
constexpr void forEachCommand(F&& f)
{
    std::apply([&](const auto&... c) { (f(c), ...); }, kCommands);
}

// The names of every command, in table order (what `hello` lists).
[[nodiscard]] inline std::vector<std::string> commandNames()
{
    std::vector<std::string> out;
    forEachCommand([&](const auto& c) { out.emplace_back(c.name); });
    return out;
}

// "protocol version N, need M" when a peer's version is not ours.
[[nodiscard]] Status checkProtocolVersion(std::int64_t peer);

} // namespace pidvisor::protocol
