// CheckpointTransfer: moving checkpoint files between an agent and the
// host's store as binary data frames, each file's sha256 checked on
// arrival. Used by CheckpointService for checkpoints, restores and each
// round of a migration.
#pragma once

#include "protocol/Timing.h"

#include "agent/AgentClient.h"
#include "core/Progress.h"

#include "protocol/CheckpointFiles.h"

namespace pidvisor::manager {

struct TransferStats {
    std::uint64_t bytes = 0;
    std::int64_t millis = 0;
};

// Pulls `files` of checkpoint `id` from the agent into `dir`.
// `all` asks for every file of the agent's manifest instead of naming them.
[[nodiscard]] Result<TransferStats> pullCheckpoint(AgentClient& agent, const std::string& id, const std::string& dir,
                                                   const std::vector<protocol::CheckpointFile>& files, bool all,
                                                   const ProgressFn& progress);

// Uploads files of the checkpoint in `dir` to the agent: `files` (all of
// the manifest when empty); `final` completes it there.
[[nodiscard]] Result<TransferStats> pushCheckpoint(AgentClient& agent, const std::string& id, const std::string& dir,
                                                   const nlohmann::json& manifest,
                                                   const std::vector<protocol::CheckpointFile>& files, bool final,
                                                   const ProgressFn& progress);

[[nodiscard]] std::string formatBytes(std::uint64_t bytes);
using protocol::millisSince;

} // namespace pidvisor::manager
