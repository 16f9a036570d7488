#include "ContainerStore.h"

#include "Spawner.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <fstream>

namespace pidvisor::agent {

namespace fs = std::filesystem;
using nlohmann::json;

std::int64_t nowMillis()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

json ContainerRecord::toJson() const
{
    json j{{"spec", protocol::encode(spec)},       {"state", state},         {"init_pid", initPid},
           {"init_start_time", initStartTime}, {"pidns_inode", pidnsInode}, {"pid_space", pidSpace},
           {"cgroup", cgroup},            {"created_at", createdAt}, {"finished_at", finishedAt},
           {"exit_known", exitKnown},     {"exit_code", exitCode},   {"exit_signal", exitSignal},
           {"checkpointed_as", checkpointedAs}, {"restored_from", restoredFrom}};
    return j;
}

Result<ContainerRecord> ContainerRecord::fromJson(const json& j)
{
    try {
        ContainerRecord r;
        PV_TRY(r.spec, protocol::decode<ContainerSpec>(j.at("spec"), protocol::Unknown::Ignore, "field"));
        r.state = j.at("state").get<std::string>();
        r.initPid = j.at("init_pid").get<pid_t>();
        r.initStartTime = j.at("init_start_time").get<std::uint64_t>();
        r.pidnsInode = j.at("pidns_inode").get<std::uint64_t>();
        r.pidSpace = j.value("pid_space", "");
        r.cgroup = j.value("cgroup", "");
        r.createdAt = j.value("created_at", std::int64_t{0});
        r.finishedAt = j.value("finished_at", std::int64_t{0});
        r.exitKnown = j.value("exit_known", false);
        r.exitCode = j.value("exit_code", 0);
        r.exitSignal = j.value("exit_signal", 0);
        r.checkpointedAs = j.value("checkpointed_as", "");
        r.restoredFrom = j.value("restored_from", "");
        return r;
    } catch (const json::exception& e) {
        return fail(ErrorCode::InvalidArgument, std::string("container record is malformed: ") + e.what());
    }
}

ContainerStore::ContainerStore(fs::path stateDir) : m_root(std::move(stateDir)) {}

Status ContainerStore::open()
{
    std::error_code ec;
    fs::create_directories(m_root / "containers", ec);
    if (ec)
        return fail(ErrorCode::FailedPrecondition,
                    "cannot create state directory " + m_root.string() + ": " + ec.message());
    ::chmod(m_root.c_str(), 0700);
    std::string lockPath = (m_root / "agent.lock").string();
    m_lock.reset(::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!m_lock)
        return failErrno("opening " + lockPath, errno);
    if (::flock(m_lock.get(), LOCK_EX | LOCK_NB) < 0)
        return fail(ErrorCode::FailedPrecondition,
                    "state directory " + m_root.string() + " is in use by another agent");
    return {};
}

fs::path ContainerStore::containerDir(const std::string& name) const
{
    return m_root / "containers" / name;
}
fs::path ContainerStore::upperDir(const std::string& name) const
{
    return containerDir(name) / "upper";
}
fs::path ContainerStore::workDir(const std::string& name) const
{
    return containerDir(name) / "work";
}
fs::path ContainerStore::rootfsDir(const std::string& name) const
{
    return containerDir(name) / "rootfs";
}
fs::path ContainerStore::consoleLog(const std::string& name) const
{
    return upperDir(name) / fs::path(kConsoleLog).relative_path();
}

Status ContainerStore::createContainerDir(const std::string& name) const
{
    fs::path dir = containerDir(name);
    if (::mkdir(dir.c_str(), 0700) < 0) {
        if (errno == EEXIST)
            return fail(ErrorCode::AlreadyExists, "container '" + name + "' already exists");
        return failErrno("creating " + dir.string(), errno);
    }
    for (const auto& sub : {upperDir(name), workDir(name), rootfsDir(name)})
        if (::mkdir(sub.c_str(), 0755) < 0)
            return failErrno("creating " + sub.string(), errno);
    return {};
}

Status ContainerStore::save(const ContainerRecord& record) const
{
    fs::path dir = containerDir(record.spec.name);
    fs::path tmp = dir / "container.json.tmp";
    std::string text = record.toJson().dump(2) + "\n";
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd)
        return failErrno("writing " + tmp.string(), errno);
    // No fsync: the record must survive the agent (kill -9), which the page
    // cache guarantees; after a crash of the VM no container survives anyway.
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        return failErrno("writing " + tmp.string(), errno);
    fd.reset();
    if (::rename(tmp.c_str(), (dir / "container.json").c_str()) < 0)
        return failErrno("saving " + (dir / "container.json").string(), errno);
    return {};
}

std::vector<ContainerRecord> ContainerStore::loadAll(std::vector<std::string>& problems) const
{
    std::vector<ContainerRecord> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_root / "containers", ec)) {
        fs::path file = entry.path() / "container.json";
        std::ifstream in(file);
        if (!in) {
            problems.push_back(entry.path().string() + " has no container.json");
            continue;
        }
        json j = json::parse(in, nullptr, false);
        if (j.is_discarded()) {
            problems.push_back(file.string() + " is not valid JSON");
            continue;
        }
        auto record = ContainerRecord::fromJson(j);
        if (!record) {
            problems.push_back(file.string() + ": " + record.error().message);
            continue;
        }
        out.push_back(std::move(*record));
    }
    return out;
}

Status ContainerStore::remove(const std::string& name) const
{
    std::error_code ec;
    fs::remove_all(containerDir(name), ec);
    if (ec)
        return fail(ErrorCode::Internal, "removing " + containerDir(name).string() + ": " + ec.message());
    return {};
}

} // namespace pidvisor::agent
