// BeneathDir: a directory whose contents come from someone we do not trust
// (a checkpoint a guest sent, a container's files), reached only through
// an open descriptor of it.
//
// Every path given to it is relative and is resolved beneath the directory
// with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS):
// a symlink anywhere in the path, a ".." that climbs out or an absolute path
// is refused by the kernel, at the moment of the open, so nothing planted
// in the tree between a check and a use can redirect it. Creating,
// removing and renaming act on the last component relative to its parent's
// descriptor, so they never follow a symlink either.
//
//   PV_TRY(auto dir, BeneathDir::open("/var/lib/pidvisor/checkpoints/ck-1"));
//   PV_TRY(UniqueFd fd, dir.openFile("images/pages-1.img", O_RDONLY));
#pragma once

#include "Result.h"
#include "UniqueFd.h"

#include <sys/stat.h>

#include <string>
#include <string_view>

namespace pidvisor::protocol {

class BeneathDir {
public:
    // Opens `path` (trusted: chosen by this program) as the root.
    // `create` makes it (and its parents) first when missing.
    [[nodiscard]] static Result<BeneathDir> open(const std::string& path, bool create = false);

    [[nodiscard]] const std::string& path() const { return m_path; }
    [[nodiscard]] int fd() const { return m_fd.get(); }

    // openat2 beneath the root; `rel` "" or "." is the root itself.
    [[nodiscard]] Result<UniqueFd> openFile(std::string_view rel, int flags, mode_t mode = 0600) const;
    // The directory holding `rel`'s last component, and that component.
    [[nodiscard]] Result<UniqueFd> openParent(std::string_view rel, std::string* leaf) const;

    // Creates each missing directory of `relDir`; an existing symlink or
    // file in the way is an error.
    [[nodiscard]] Status makeDirs(std::string_view relDir, mode_t mode = 0700) const;
    [[nodiscard]] Result<struct stat> lstat(std::string_view rel) const;
    [[nodiscard]] Result<std::string> readLink(std::string_view rel) const;
    [[nodiscard]] Status symlink(const std::string& target, std::string_view rel) const;
    // Removes a file, a symlink or an empty directory (missing is fine).
    [[nodiscard]] Status remove(std::string_view rel) const;
    // Removes `rel` and everything below it without following any symlink.
    [[nodiscard]] Status removeTree(std::string_view rel) const;
    [[nodiscard]] Status rename(std::string_view from, std::string_view to) const;

private:
    BeneathDir(std::string path, UniqueFd fd) : m_path(std::move(path)), m_fd(std::move(fd)) {}

    std::string m_path;
    UniqueFd m_fd;
};

// openat2 beneath `dirfd` with the flags above, for callers that hold a
// directory descriptor of their own.
[[nodiscard]] int openBeneath(int dirfd, const char* rel, int flags, mode_t mode);

} // namespace pidvisor::protocol
