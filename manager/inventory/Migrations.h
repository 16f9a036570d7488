// Migrations: the inventory's schema as numbered steps, and the code that
// brings a database file up to a given step.
//
// Each step is a list of SQL statements run in one BEGIN IMMEDIATE
// transaction that also sets PRAGMA user_version to the step's number, so a
// file is always at exactly one version and a crash mid-step leaves it at
// the previous one. Steps are never edited once released: a change to the
// schema is a new step at the end.
//
//   1  hosts, images, vms, operations (enough to manage VMs)
//   2  containers (what the agent in each VM reported)
//   3  checkpoints (the host's checkpoint store)
//   4  checkpoint_pids, checkpoint_criu_stats and duration columns, from
//      version 3's pid_map_json and durations_json
//   5  container_images (the host's container images and their volumes)
#pragma once

#include "Database.h"

#include "protocol/Result.h"

#include <string>
#include <string_view>
#include <vector>

namespace pidvisor::manager {

struct Migration {
    int version = 0;
    std::string_view summary;
    std::vector<std::string_view> statements;
};

// All steps in order; step i has version i + 1.
[[nodiscard]] const std::vector<Migration>& schemaMigrations();
[[nodiscard]] int latestSchemaVersion();

[[nodiscard]] Result<int> readSchemaVersion(const Database& db);

// Applies the steps after the file's version up to `target`. Refuses a file
// newer than this code knows (FailedPrecondition). Safe when several
// processes open the same new file at once: each step re-reads the version
// under the write lock and skips what another process already applied.
// Returns the version the file is at afterwards (at least `target`).
[[nodiscard]] Result<int> migrateSchema(const Database& db, int target);

} // namespace pidvisor::manager
