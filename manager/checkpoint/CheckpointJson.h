// CheckpointJson: the one conversion between a checkpoint's typed record
// (inventory/InventoryRecords.h) and JSON: from the manifest an agent
// returns for a dump, and to what `pidvisor checkpoint` prints with --json.
// The inventory stores the typed fields as rows and columns, so nothing
// after this point parses a pid map or a durations object again.
#pragma once

#include "inventory/InventoryRecords.h"

#include "protocol/Result.h"

#include <nlohmann/json.hpp>

namespace pidvisor::manager {

// The manifest's "pid_map": [{"vpid":1,"vppid":0,"pgid":1,"sid":1,
// "threads":1,"pid":4242,"comm":"sh"}, ...], ordered by virtual pid. A
// missing map is empty; an entry without a positive integer vpid, a
// repeated vpid or a field of the wrong type is InvalidArgument.
[[nodiscard]] Result<std::vector<CheckpointProcess>> processesFromManifest(const nlohmann::json& manifest);

// The agent's part of the durations: "durations_ms" {"dump", "hash"} and
// "criu_stats" {name: integer}. Other keys are ignored (a newer agent may
// measure more); a value of the wrong type is InvalidArgument.
[[nodiscard]] Result<CheckpointDurations> durationsFromManifest(const nlohmann::json& manifest);

// As the CLI has always printed them: the pid map as the agent's array,
// the durations as {"dump", "hash", "transfer_ms", "transfer_bytes",
// "total_ms", "criu": {...}} with only the measured ones present.
[[nodiscard]] nlohmann::json processesToJson(const std::vector<CheckpointProcess>& processes);
[[nodiscard]] nlohmann::json durationsToJson(const CheckpointDurations& durations);

} // namespace pidvisor::manager
