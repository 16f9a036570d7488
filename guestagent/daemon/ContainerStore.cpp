#include "ContainerStore.h"

#include "Spawner.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

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
    // The state is stored as its protocol word, so records written before
    // the enum (and by older agents) read back unchanged.
    json j{{"spec", protocol::encode(spec)},
           {"state", protocol::Codec<ContainerState>::encode(state)},
           {"init_pid", initPid},
           {"init_start_time", initStartTime},
           {"pidns_inode", pidnsInode},
           {"pid_space", pidSpace},
           {"cgroup", cgroup},
           {"created_at", createdAt},
           {"finished_at", finishedAt},
           {"exit_known", exitKnown},
           {"exit_code", exitCode},
           {"exit_signal", exitSignal},
           {"checkpointed_as", checkpointedAs},
           {"restored_from", restoredFrom}};
    return j;
}

Result<ContainerRecord> ContainerRecord::fromJson(const json& j)
{
    try {
        ContainerRecord r;
        PV_TRY(r.spec, protocol::decode<ContainerSpec>(j.at("spec"), protocol::Unknown::Ignore, "field"));
        PV_TRY(r.state,
               protocol::Codec<ContainerState>::decode(j.at("state"), protocol::Unknown::Ignore, "field", "state"));
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
    // A POSIX record lock, not flock: it belongs to this process and is not
    // inherited by fork/clone. A flock belongs to the open file, so a child
    // cloned a moment before kill -9 (still between clone and closing the
    // agent's descriptors, or not yet scheduled) held it on after the agent
    // died, and the restarted agent refused the state directory.
    struct flock whole {};
    whole.l_type = F_WRLCK;
    whole.l_whence = SEEK_SET;
    if (::fcntl(m_lock.get(), F_SETLK, &whole) < 0)
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

namespace {

// Makes `path` (absolute) absent from an overlay whose lower layer is the
// VM's root: its parents as directories in the upper layer, owned and
// moded as the real ones (as a copy-up would), and an overlay whiteout (a
// 0:0 character device) for the last component. Nothing inside can remove
// a whiteout to see what it hides: the name simply does not exist there,
// and making it anew makes an empty opaque directory or a new file.
Status hideInUpper(const fs::path& upper, const fs::path& path)
{
    UniqueFd dir(::open(upper.c_str(), O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir)
        return failErrno("opening " + upper.string(), errno);
    fs::path real = "/";
    const fs::path relative = path.relative_path();
    std::vector<fs::path> parts(relative.begin(), relative.end());
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string name = parts[i].string();
        if (name.empty() || name == "." || name == "..")
            return fail(ErrorCode::InvalidArgument, "hidden path " + path.string() + " is not canonical");
        if (i + 1 == parts.size()) {
            if (::mknodat(dir.get(), name.c_str(), S_IFCHR, makedev(0, 0)) < 0 && errno != EEXIST)
                return failErrno("hiding " + path.string() + " from the container", errno);
            break;
        }
        real /= name;
        struct stat st {};
        if (::lstat(real.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
            return {}; // nothing to hide beneath a name that is not a directory
        if (::mkdirat(dir.get(), name.c_str(), st.st_mode & 07777) < 0 && errno != EEXIST)
            return failErrno("hiding " + path.string() + " from the container", errno);
        UniqueFd next(::openat(dir.get(), name.c_str(), O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next || ::fchown(next.get(), st.st_uid, st.st_gid) < 0 || ::fchmod(next.get(), st.st_mode & 07777) < 0)
            return failErrno("hiding " + path.string() + " from the container", errno);
        dir = std::move(next);
    }
    return {};
}

} // namespace

Status ContainerStore::createContainerDir(const std::string& name, const std::vector<std::string>& hidden) const
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
    PV_TRY_STATUS(hideInUpper(upperDir(name), m_root));
    for (const auto& path : hidden)
        PV_TRY_STATUS(hideInUpper(upperDir(name), path));
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
        if (!in)
            continue;
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

std::vector<std::string> ContainerStore::unrecorded() const
{
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_root / "containers", ec)) {
        std::error_code missing;
        if (!fs::exists(entry.path() / "container.json", missing) && !missing)
            out.push_back(entry.path().filename().string());
    }
    return out;
}

Status ContainerStore::remove(const std::string& name) const
{
    // An agent killed while it had the container's root (or a --userns
    // container's idmapped layers: one is the VM's own root) mounted here
    // left them mounted: they go first, or removing the directory would
    // reach through them.
    std::error_code ec;
    fs::path layers = containerDir(name) / "layers";
    std::vector<fs::path> mounts;
    for (const auto& entry : fs::directory_iterator(layers, ec))
        mounts.push_back(entry.path());
    mounts.push_back(rootfsDir(name));
    for (const auto& m : mounts)
        while (::umount2(m.c_str(), MNT_DETACH) == 0) {
        }
    ec.clear();
    fs::remove_all(containerDir(name), ec);
    if (ec)
        return fail(ErrorCode::Internal, "removing " + containerDir(name).string() + ": " + ec.message());
    return {};
}

} // namespace pidvisor::agent
