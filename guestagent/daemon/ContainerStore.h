// ContainerStore: the agent's state directory, the source of truth that
// lets a restarted agent (even after kill -9) find its containers again.
//
//   <state>/agent.lock                     held (fcntl record lock) by the agent
//   <state>/containers/<name>/container.json   spec + runtime record
//   <state>/containers/<name>/upper/       the container's filesystem changes
//                                          (and whiteouts hiding <state>)
//   <state>/containers/<name>/work/        overlayfs work directory
//   <state>/containers/<name>/rootfs/      where the child mounts its root
//
// Records are replaced atomically (temporary file, rename).
#pragma once

#include "ContainerSpec.h"

#include "protocol/Result.h"
#include "protocol/States.h"
#include "protocol/UniqueFd.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::agent {

using protocol::ContainerState;

struct ContainerRecord {
    ContainerSpec spec;
    ContainerState state = ContainerState::Creating; // stored as its word ("creating", ...)
    pid_t initPid = 0;
    std::uint64_t initStartTime = 0;
    std::uint64_t pidnsInode = 0;
    std::string pidSpace;
    std::string cgroup;
    std::int64_t createdAt = 0; // unix milliseconds
    std::int64_t finishedAt = 0;
    bool exitKnown = false;
    int exitCode = 0;
    int exitSignal = 0;
    std::string checkpointedAs; // ended by a checkpoint taken without leave-running
    std::string restoredFrom;   // made by restoring this checkpoint

    [[nodiscard]] nlohmann::json toJson() const;
    [[nodiscard]] static Result<ContainerRecord> fromJson(const nlohmann::json& j);
};

class ContainerStore {
public:
    explicit ContainerStore(std::filesystem::path stateDir);

    // Creates the layout and takes the lock; fails when another agent
    // holds this state directory.
    [[nodiscard]] Status open();

    [[nodiscard]] const std::filesystem::path& root() const { return m_root; }
    [[nodiscard]] std::filesystem::path containerDir(const std::string& name) const;
    [[nodiscard]] std::filesystem::path upperDir(const std::string& name) const;
    [[nodiscard]] std::filesystem::path workDir(const std::string& name) const;
    [[nodiscard]] std::filesystem::path rootfsDir(const std::string& name) const;
    [[nodiscard]] std::filesystem::path consoleLog(const std::string& name) const;

    // Creates an empty container directory; AlreadyExists when one is there.
    // The state directory and `hidden` (absolute, canonical) do not exist
    // in the container's root (whiteouts in its upper layer).
    [[nodiscard]] Status createContainerDir(const std::string& name,
                                            const std::vector<std::string>& hidden = {}) const;
    [[nodiscard]] Status save(const ContainerRecord& record) const;
    // Every readable record; unreadable ones are reported in `problems`.
    // Directories without a record are not containers (see unrecorded).
    [[nodiscard]] std::vector<ContainerRecord> loadAll(std::vector<std::string>& problems) const;
    [[nodiscard]] Status remove(const std::string& name) const;
    // Names whose directory holds no record: a create or a restore that an
    // agent killed before its commit left behind.
    [[nodiscard]] std::vector<std::string> unrecorded() const;

private:
    std::filesystem::path m_root;
    UniqueFd m_lock;
};

[[nodiscard]] std::int64_t nowMillis();

} // namespace pidvisor::agent
