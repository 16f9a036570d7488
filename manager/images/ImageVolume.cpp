#include "ImageVolume.h"

#include "core/ChildProcess.h"
#include "protocol/ImageFiles.h"
#include "protocol/UniqueFd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <random>

namespace pidvisor::manager {

namespace fs = std::filesystem;

namespace {

// Why erofs with -zlz4hc, measured on a Debian 13 tree (mmdebstrap
// --variant=apt with python3, redis-server and ca-certificates: 163 MiB in
// 8031 files; erofs-utils 1.5, squashfs-tools 4.5.1 with -processors 1;
// best of 3; read = mount -o loop,ro, drop caches, tar -cf - . | cat, since
// GNU tar skips file contents when the archive is /dev/null itself).
// Ratios against plain erofs (0.58 s pack, 159 MiB, 0.35 s read):
//
//                   pack    size   cold read
//   erofs plain     1.0     1.00   1.0
//   erofs lz4       1.2     0.65   1.7
//   erofs lz4hc     5.0     0.61   1.5
//   squashfs lz4    1.3     0.53   1.9
//   squashfs zstd   32      0.36   2.2
//   squashfs gzip   25      0.39   3.9
//   (the tree itself on ext4: 1.02 of plain's size, read 3.6)
//
// The container kernel has erofs with lz4 only (no squashfs), so squashfs,
// though smaller, is out. Among the erofs choices lz4hc is the smallest
// (0.61 of plain, 0.93 of lz4) and reads as fast as lz4; its pack time
// (about 18 ms per MiB here) is small beside making the image (the Debian
// build of this tree took 400 s, mostly downloads) and is paid once per
// digest, while the size is paid on every upload to a libvirt pool, often
// a remote one. Plain reads fastest from a local page-cache-cold disk but
// is 1.6 times the bytes to store and move.
constexpr const char* kCompression = "-zlz4hc";

// execve does not search PATH; erofs-utils lives in /usr/bin on Debian,
// /usr/sbin elsewhere, and a user's PATH may lack the sbin directories.
Result<std::string> findProgram(const std::string& name)
{
    std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
    path += ":/usr/sbin:/sbin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find(':', start);
        std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0)
            return dir + "/" + name;
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return fail(ErrorCode::FailedPrecondition, name + " is not installed (Debian package erofs-utils)");
}

// The newest mtime (seconds) below `root` (not of root itself, which is
// made when the image is), not following symlinks.
Result<std::int64_t> newestMtime(const fs::path& root)
{
    std::int64_t newest = 0;
    std::error_code ec;
    fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
    struct stat st {};
    for (; !ec && it != end; it.increment(ec)) {
        if (::lstat(it->path().c_str(), &st) != 0)
            return failErrno("reading " + it->path().string(), errno);
        newest = std::max<std::int64_t>(newest, st.st_mtime);
    }
    if (ec)
        return failErrno("walking " + root.string(), ec.value());
    return newest;
}

// The staging directory, rootfs/ and image.json are made when the image
// is, so their times would differ between two makes of the same tree: they
// take the tree's newest time instead.
Status settleTimes(const ImageStaging& staging, std::int64_t seconds)
{
    const timespec times[2] = {{static_cast<time_t>(seconds), 0}, {static_cast<time_t>(seconds), 0}};
    for (const fs::path& p : {staging.infoFile(), staging.rootfs(), staging.dir})
        if (::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
            return failErrno("setting the time of " + p.string(), errno);
    return {};
}

Status syncFile(const fs::path& file)
{
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid() || ::fsync(fd.get()) != 0)
        return failErrno("writing " + file.string(), errno);
    return {};
}

// Removes the temporary file unless it was renamed into place.
struct TempFile {
    fs::path path;
    bool keep = false;
    ~TempFile()
    {
        if (!keep) {
            std::error_code ec;
            fs::remove(path, ec);
        }
    }
};

std::string randomSuffix()
{
    std::random_device device;
    return std::to_string(::getpid()) + "-" + std::to_string(device());
}

} // namespace

std::string volumeUuid(const std::string& digest)
{
    std::string hex = protocol::digestHex(digest);
    hex.resize(32, '0');
    hex[12] = '8'; // version 8: custom
    const char variant[] = "89ab";
    hex[16] = variant[std::strtol(hex.substr(16, 1).c_str(), nullptr, 16) & 3];
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
           hex.substr(20, 12);
}

Result<std::int64_t> packImageVolume(const ImageStaging& staging, const fs::path& out, const ProgressFn& progress)
{
    PV_TRY(std::string mkfs, findProgram("mkfs.erofs"));
    PV_TRY(protocol::ImageInfo info, protocol::readImageInfoFile(staging.infoFile().string()));
    PV_TRY(std::int64_t newest, newestMtime(staging.rootfs()));
    PV_TRY_STATUS(settleTimes(staging, newest));
    report(progress, "packing the image volume", 0, out.filename().string());
    TempFile temp{out.parent_path() / ("." + out.filename().string() + ".tmp-" + randomSuffix())};
    // SOURCE_DATE_EPOCH, not -T: -T also gives every file that time,
    // losing the mtimes (python's .pyc files check their source's). With
    // the epoch one second past the newest file, mkfs.erofs's clamping
    // changes no file and only the superblock's build time is fixed.
    PV_TRY(ChildProcess child,
           ChildProcess::spawn({mkfs, kCompression, "-U" + volumeUuid(info.digest), temp.path.string(),
                                staging.dir.string()},
                               {"SOURCE_DATE_EPOCH=" + std::to_string(newest + 1)}));
    int code = child.wait({});
    if (code != 0)
        return fail(ErrorCode::Internal, "mkfs.erofs of " + staging.dir.string() + " failed (exit " +
                                             std::to_string(code) + "): " + child.stderrTail());
    PV_TRY_STATUS(syncFile(temp.path));
    std::error_code ec;
    fs::rename(temp.path, out, ec);
    if (ec)
        return failErrno("renaming " + temp.path.string() + " to " + out.string(), ec.value());
    temp.keep = true;
    std::int64_t bytes = static_cast<std::int64_t>(fs::file_size(out, ec));
    if (ec)
        return failErrno("reading the size of " + out.string(), ec.value());
    (void)syncFile(out.parent_path()); // the rename; the file itself is already safe
    report(progress, "packing the image volume", 100, out.filename().string());
    return bytes;
}

} // namespace pidvisor::manager
