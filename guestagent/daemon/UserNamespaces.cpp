#include "UserNamespaces.h"

#include "ControlFiles.h"
#include "Syscalls.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/securebits.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>

namespace pidvisor::agent {

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kFirstBase = 100000;

// A detached copy of the mount at `path`, idmapped through `usernsFd`.
Result<UniqueFd> idmappedTree(const std::string& path, int usernsFd)
{
    UniqueFd tree(static_cast<int>(
        ::syscall(SYS_open_tree, AT_FDCWD, path.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)));
    if (!tree)
        return failErrno("cloning the mount of " + path, errno);
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = static_cast<std::uint64_t>(usernsFd);
    if (::syscall(SYS_mount_setattr, tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
        return failErrno("idmapping " + path + " (its filesystem takes no idmapped mounts?)", errno);
    return tree;
}

// The staging directories, and the idmapped trees attached there, go when
// this does.
class Staging {
public:
    explicit Staging(std::string dir) : m_dir(std::move(dir)) {}
    ~Staging()
    {
        for (auto it = m_attached.rbegin(); it != m_attached.rend(); ++it) {
            ::umount2(it->c_str(), MNT_DETACH);
            ::rmdir(it->c_str());
        }
        ::rmdir(m_dir.c_str());
    }
    Staging(const Staging&) = delete;
    Staging& operator=(const Staging&) = delete;

    Result<std::string> attach(const std::string& name, const std::string& source, int usernsFd)
    {
        if (m_attached.empty() && ::mkdir(m_dir.c_str(), 0700) < 0 && errno != EEXIST)
            return failErrno("creating " + m_dir, errno);
        std::string where = m_dir + "/" + name;
        if (::mkdir(where.c_str(), 0700) < 0 && errno != EEXIST)
            return failErrno("creating " + where, errno);
        auto tree = idmappedTree(source, usernsFd);
        if (!tree) {
            ::rmdir(where.c_str());
            return fail(tree.error());
        }
        if (::syscall(SYS_move_mount, tree->get(), "", AT_FDCWD, where.c_str(), MOVE_MOUNT_F_EMPTY_PATH) < 0) {
            int err = errno;
            ::rmdir(where.c_str());
            return failErrno("attaching the idmapped " + source, err);
        }
        m_attached.push_back(where);
        return where;
    }

private:
    std::string m_dir;
    std::vector<std::string> m_attached;
};

// Mounts the overlay from a child of the agent (same mount namespace) whose
// filesystem ids are the range's root: overlay keeps its mounter's
// credentials for the work it does in the layers (its work directory,
// copy-ups), and through idmapped layers the VM's root (uid 0, outside the
// range) could not create anything. SECBIT_NO_SETUID_FIXUP keeps the
// capabilities that a change of fsuid would drop.
int mountAsRangeRoot(const std::string& options, const std::string& target, std::int64_t base)
{
    clone_args args{};
    args.exit_signal = SIGCHLD;
    pid_t pid = sys::clone3(args);
    if (pid == 0) {
        auto id = static_cast<uid_t>(base);
        if (::prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0) < 0)
            ::_exit(errno);
        ::setfsgid(static_cast<gid_t>(id));
        ::setfsuid(id);
        if (::setfsuid(static_cast<uid_t>(-1)) != static_cast<int>(id))
            ::_exit(EPERM);
        if (::mount("overlay", target.c_str(), "overlay", 0, options.c_str()) < 0)
            ::_exit(errno);
        ::_exit(0);
    }
    if (pid < 0)
        return errno;
    int status = sys::waitForChild(pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

bool overlaps(const UserNamespace& a, std::int64_t base, std::int64_t size)
{
    return a.base && *a.base < base + size && base < *a.base + a.size;
}

} // namespace

std::string OverlayLayers::options() const
{
    return "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
}

Status writeIdMaps(pid_t pid, const UserNamespace& ns)
{
    if (!ns.base)
        return fail(ErrorCode::Internal, "a user namespace without a base");
    std::string line = "0 " + std::to_string(*ns.base) + " " + std::to_string(ns.size) + "\n";
    std::string proc = "/proc/" + std::to_string(pid);
    PV_TRY_STATUS(writeControlFile(proc + "/uid_map", line));
    return writeControlFile(proc + "/gid_map", line);
}

Result<UniqueFd> mappedUserNamespace(const UserNamespace& ns)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0)
        return failErrno("creating a pipe", errno);
    UniqueFd hold(fds[0]), release(fds[1]);
    clone_args args{};
    args.flags = CLONE_NEWUSER;
    args.exit_signal = SIGCHLD;
    pid_t pid = sys::clone3(args);
    if (pid == 0) {
        // Lives until the agent closes its end: only to be looked at.
        ::close(fds[1]);
        char c;
        (void)!::read(fds[0], &c, 1);
        ::_exit(0);
    }
    if (pid < 0)
        return failErrno("creating a user namespace", errno);
    auto opened = [&]() -> Result<UniqueFd> {
        PV_TRY_STATUS(writeIdMaps(pid, ns));
        std::string path = "/proc/" + std::to_string(pid) + "/ns/user";
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd)
            return failErrno("opening " + path, errno);
        return fd;
    }();
    release.reset();
    (void)sys::waitForChild(pid);
    return opened;
}

Status mountContainerRoot(const OverlayLayers& layers, const std::string& target,
                          const std::optional<UserNamespace>& userns)
{
    if (!userns) {
        if (::mount("overlay", target.c_str(), "overlay", 0, layers.options().c_str()) < 0)
            return failErrno("mounting the container's root", errno);
        return {};
    }
    fs::path upper(layers.upper), work(layers.work);
    if (upper.parent_path() != work.parent_path())
        return fail(ErrorCode::Internal, "the upper and work directories are not side by side");
    PV_TRY(UniqueFd nsFd, mappedUserNamespace(*userns));
    Staging staging(layers.staging);
    PV_TRY(std::string lower, staging.attach("lower", layers.lower, nsFd.get()));
    PV_TRY(std::string dir, staging.attach("dir", upper.parent_path().string(), nsFd.get()));
    OverlayLayers mapped{lower, dir + "/" + upper.filename().string(), dir + "/" + work.filename().string(), ""};
    // Overlay holds its own copies of the layers: the staging goes at once.
    if (int err = mountAsRangeRoot(mapped.options(), target, *userns->base))
        return failErrno("mounting the container's root over idmapped layers", err);
    return {};
}

namespace {

// Depth-first below `dir` (an open directory), at most `depth` levels.
Status addOtherRead(int dir, const std::string& shown, int depth)
{
    struct stat st {};
    if (::fstat(dir, &st) < 0)
        return failErrno("looking at " + shown, errno);
    // Read too: CRIU opens a pre-dump's directory (its images' `parent`).
    if (::fchmod(dir, (st.st_mode & 07777) | S_IROTH | S_IXOTH) < 0)
        return failErrno("opening " + shown + " to the restored tasks", errno);
    UniqueFd listing(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    DIR* d = listing ? ::fdopendir(listing.release()) : nullptr;
    if (!d)
        return failErrno("listing " + shown, errno);
    std::unique_ptr<DIR, int (*)(DIR*)> closer(d, ::closedir);
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..")
            continue;
        if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
            return failErrno("looking at " + shown + "/" + name, errno);
        if (S_ISDIR(st.st_mode) && depth > 0) {
            UniqueFd sub(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!sub)
                return failErrno("opening " + shown + "/" + name, errno);
            PV_TRY_STATUS(addOtherRead(sub.get(), shown + "/" + name, depth - 1));
        } else if (S_ISREG(st.st_mode)) {
            UniqueFd f(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
            if (!f || ::fchmod(f.get(), (st.st_mode & 07777) | S_IROTH) < 0)
                return failErrno("opening " + shown + "/" + name + " to the restored tasks", errno);
        }
    }
    return {};
}

} // namespace

Status letRestoredTasksRead(const std::string& checkpointDir)
{
    UniqueFd dir(::open(checkpointDir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir)
        return failErrno("opening " + checkpointDir, errno);
    // The checkpoint, its images and pre-dump rounds: two levels.
    return addOtherRead(dir.get(), checkpointDir, 2);
}

Result<std::optional<UserNamespace>> readUserNamespace(pid_t pid)
{
    std::string path = "/proc/" + std::to_string(pid) + "/uid_map";
    std::ifstream in(path);
    if (!in)
        return failErrno("reading " + path, errno);
    std::vector<std::array<std::int64_t, 3>> lines;
    std::int64_t inside = 0, outside = 0, count = 0;
    while (lines.size() < 2 && in >> inside >> outside >> count)
        lines.push_back({inside, outside, count});
    if (lines.size() == 1 && inside == 0 && outside == 0 && count == 4294967295)
        return std::optional<UserNamespace>{};
    if (lines.size() != 1 || inside != 0)
        return fail(ErrorCode::Internal, "process " + std::to_string(pid) + "'s uid_map is not one range from 0");
    UserNamespace ns;
    ns.base = outside;
    ns.size = count;
    return std::optional<UserNamespace>{ns};
}

Result<UserNamespace> allocateUserNamespace(const UserNamespace& asked, const std::vector<UserNamespace>& taken)
{
    if (asked.base) {
        for (const auto& t : taken)
            if (overlaps(t, *asked.base, asked.size))
                return fail(ErrorCode::AlreadyExists, "uids " + std::to_string(*asked.base) + "-" +
                                                          std::to_string(*asked.base + asked.size - 1) +
                                                          " overlap another container's (" + std::to_string(*t.base) +
                                                          "-" + std::to_string(*t.base + t.size - 1) + ")");
        return asked;
    }
    for (std::int64_t base = kFirstBase; base + asked.size <= 4294967295; base += asked.size) {
        bool free = true;
        for (const auto& t : taken)
            free = free && !overlaps(t, base, asked.size);
        if (free) {
            UserNamespace ns = asked;
            ns.base = base;
            return ns;
        }
    }
    return fail(ErrorCode::ResourceExhausted, "no free range of uids for a user namespace");
}

} // namespace pidvisor::agent
