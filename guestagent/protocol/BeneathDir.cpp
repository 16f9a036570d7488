#include "BeneathDir.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <vector>

namespace pidvisor::protocol {

namespace {

constexpr std::uint64_t kResolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

std::string shown(std::string_view rel)
{
    return std::string(rel.substr(0, 200));
}

// The errors openat2 gives for a path that tries to leave the tree say so.
Error resolveError(std::string_view what, std::string_view rel, int err)
{
    if (err == ELOOP)
        return Error{ErrorCode::PermissionDenied, what.empty() ? "path '" + shown(rel) + "' passes through a symlink"
                                                               : std::string(what) + ": path '" + shown(rel) +
                                                                     "' passes through a symlink"};
    if (err == EXDEV)
        return Error{ErrorCode::PermissionDenied, std::string(what) + ": path '" + shown(rel) +
                                                      "' leads outside its directory"};
    return errnoError(std::string(what) + " '" + shown(rel) + "'", err);
}

std::string_view normalised(std::string_view rel)
{
    while (!rel.empty() && rel.back() == '/')
        rel.remove_suffix(1);
    return rel.empty() ? std::string_view(".") : rel;
}

struct DirCloser {
    void operator()(DIR* d) const { ::closedir(d); }
};

} // namespace

int openBeneath(int dirfd, const char* rel, int flags, mode_t mode)
{
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
    // O_TMPFILE includes O_DIRECTORY: test all of its bits.
    how.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0;
    how.resolve = kResolve;
    for (;;) {
        long fd = ::syscall(SYS_openat2, dirfd, rel, &how, sizeof how);
        if (fd < 0 && errno == EAGAIN)
            continue; // a rename raced the lookup: RESOLVE_* asks us to retry
        return static_cast<int>(fd);
    }
}

Result<BeneathDir> BeneathDir::open(const std::string& path, bool create)
{
    if (create) {
        std::error_code ec;
        std::filesystem::create_directories(path, ec);
        if (ec)
            return fail(ErrorCode::Internal, "creating directory " + path + ": " + ec.message());
    }
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd)
        return failErrno("opening directory " + path, errno);
    return BeneathDir(path, std::move(fd));
}

Result<UniqueFd> BeneathDir::openFile(std::string_view rel, int flags, mode_t mode) const
{
    std::string p(normalised(rel));
    UniqueFd fd(openBeneath(m_fd.get(), p.c_str(), flags, mode));
    if (!fd)
        return fail(resolveError("opening", p, errno));
    return fd;
}

Result<UniqueFd> BeneathDir::openParent(std::string_view rel, std::string* leaf) const
{
    rel = normalised(rel);
    auto slash = rel.rfind('/');
    std::string_view parent = slash == std::string_view::npos ? std::string_view(".") : rel.substr(0, slash);
    *leaf = std::string(slash == std::string_view::npos ? rel : rel.substr(slash + 1));
    if (leaf->empty() || *leaf == "." || *leaf == "..")
        return fail(ErrorCode::InvalidArgument, "path '" + shown(rel) + "' has no file name");
    return openFile(parent, O_PATH | O_DIRECTORY);
}

Status BeneathDir::makeDirs(std::string_view relDir, mode_t mode) const
{
    relDir = normalised(relDir);
    if (relDir == ".")
        return {};
    std::size_t at = 0;
    for (;;) {
        auto slash = relDir.find('/', at);
        std::string part(relDir.substr(0, slash));
        std::string leaf;
        PV_TRY(UniqueFd parent, openParent(part, &leaf));
        if (::mkdirat(parent.get(), leaf.c_str(), mode) < 0 && errno != EEXIST)
            return fail(resolveError("creating directory", part, errno));
        // Whatever is there now must be a real directory, not a symlink.
        PV_TRY_STATUS(openFile(part, O_PATH | O_DIRECTORY));
        if (slash == std::string_view::npos)
            return {};
        at = slash + 1;
    }
}

Result<struct stat> BeneathDir::lstat(std::string_view rel) const
{
    std::string leaf;
    PV_TRY(UniqueFd parent, openParent(rel, &leaf));
    struct stat st {};
    if (::fstatat(parent.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
        return fail(resolveError("examining", rel, errno));
    return st;
}

Result<std::string> BeneathDir::readLink(std::string_view rel) const
{
    std::string leaf;
    PV_TRY(UniqueFd parent, openParent(rel, &leaf));
    std::string target(4096, '\0');
    ssize_t n = ::readlinkat(parent.get(), leaf.c_str(), target.data(), target.size());
    if (n < 0)
        return fail(resolveError("reading symlink", rel, errno));
    target.resize(static_cast<std::size_t>(n));
    return target;
}

Status BeneathDir::symlink(const std::string& target, std::string_view rel) const
{
    std::string leaf;
    PV_TRY(UniqueFd parent, openParent(rel, &leaf));
    if (::symlinkat(target.c_str(), parent.get(), leaf.c_str()) < 0)
        return fail(resolveError("creating symlink", rel, errno));
    return {};
}

Status BeneathDir::remove(std::string_view rel) const
{
    std::string leaf;
    auto parent = openParent(rel, &leaf);
    if (!parent)
        return parent.error().code == ErrorCode::NotFound ? Status{} : Status(fail(parent.error()));
    if (::unlinkat(parent->get(), leaf.c_str(), 0) == 0 || errno == ENOENT)
        return {};
    if ((errno == EISDIR || errno == EPERM) && ::unlinkat(parent->get(), leaf.c_str(), AT_REMOVEDIR) == 0)
        return {};
    return fail(resolveError("removing", rel, errno));
}

Status BeneathDir::removeTree(std::string_view rel) const
{
    auto st = lstat(rel);
    if (!st)
        return st.error().code == ErrorCode::NotFound ? Status{} : Status(fail(st.error()));
    if (S_ISDIR(st->st_mode)) {
        PV_TRY(UniqueFd dirFd, openFile(rel, O_RDONLY | O_DIRECTORY));
        std::unique_ptr<DIR, DirCloser> dir(::fdopendir(dirFd.get()));
        if (!dir)
            return failErrno("listing '" + shown(rel) + "'", errno);
        (void)dirFd.release(); // the DIR owns it now
        std::vector<std::string> names;
        while (dirent* e = ::readdir(dir.get())) {
            std::string_view n = e->d_name;
            if (n != "." && n != "..")
                names.emplace_back(n);
        }
        std::string base(normalised(rel));
        for (const auto& n : names)
            PV_TRY_STATUS(removeTree(base == "." ? n : base + "/" + n));
        if (base == ".")
            return {};
    }
    return remove(rel);
}

Status BeneathDir::rename(std::string_view from, std::string_view to) const
{
    std::string fromLeaf, toLeaf;
    PV_TRY(UniqueFd fromParent, openParent(from, &fromLeaf));
    PV_TRY(UniqueFd toParent, openParent(to, &toLeaf));
    if (::renameat(fromParent.get(), fromLeaf.c_str(), toParent.get(), toLeaf.c_str()) < 0)
        return fail(resolveError("renaming", from, errno));
    return {};
}

} // namespace pidvisor::protocol
