#include "CheckpointFiles.h"

#include "BeneathDir.h"
#include "CheckpointReceiver.h"
#include "Sha256.h"
#include "UniqueFd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <filesystem>
#include <random>

namespace pidvisor::protocol {

namespace fs = std::filesystem;
using nlohmann::json;

json CheckpointFile::toJson() const
{
    json j{{"path", path}, {"size", size}, {"sha256", sha256}};
    if (!symlink.empty())
        j["symlink"] = symlink;
    return j;
}

Result<std::vector<CheckpointFile>> filesFromManifest(const json& manifest)
{
    auto it = manifest.find("files");
    if (it == manifest.end() || !it->is_array())
        return fail(ErrorCode::InvalidArgument, "checkpoint manifest has no file list");
    std::vector<CheckpointFile> out;
    try {
        for (const auto& f : *it) {
            CheckpointFile cf;
            cf.path = f.at("path").get<std::string>();
            // A whole number of bytes: a float or a negative number is
            // refused here (converting 2e94 to an integer is undefined).
            if (auto size = f.find("size"); size != f.end()) {
                if (!size->is_number_integer() || (!size->is_number_unsigned() && size->get<std::int64_t>() < 0))
                    return fail(ErrorCode::InvalidArgument,
                                "checkpoint manifest has a file size that is not a whole number of bytes");
                cf.size = size->get<std::uint64_t>();
            }
            cf.sha256 = f.value("sha256", "");
            cf.symlink = f.value("symlink", "");
            PV_TRY_STATUS(validateCheckpointPath(cf.path));
            out.push_back(std::move(cf));
        }
    } catch (const json::exception&) {
        return fail(ErrorCode::InvalidArgument, "checkpoint manifest has a malformed file entry");
    }
    PV_TRY_STATUS(validateCheckpointFiles(out));
    return out;
}

json filesToJson(const std::vector<CheckpointFile>& files)
{
    json arr = json::array();
    for (const auto& f : files)
        arr.push_back(f.toJson());
    return arr;
}

std::string checkpointDigest(const std::vector<CheckpointFile>& files)
{
    std::vector<std::string> lines;
    for (const auto& f : files)
        lines.push_back(f.path + " " + (f.symlink.empty() ? f.sha256 : "-> " + f.symlink) + "\n");
    std::sort(lines.begin(), lines.end());
    Sha256 h;
    for (const auto& l : lines)
        h.update(l);
    return h.hex();
}

std::uint64_t totalSize(const std::vector<CheckpointFile>& files)
{
    std::uint64_t n = 0;
    for (const auto& f : files)
        n += f.size;
    return n;
}

std::string newCheckpointId()
{
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    std::random_device rd;
    char suffix[8];
    std::snprintf(suffix, sizeof suffix, "%06x", rd() & 0xffffff);
    return std::string("ck-") + stamp + "-" + suffix;
}

Status validateCheckpointPath(std::string_view path)
{
    auto bad = [&](const char* why) {
        return fail(ErrorCode::InvalidArgument, "checkpoint file path '" + std::string(path.substr(0, 100)) + "' " + why);
    };
    if (path.empty() || path.size() > 255 || path.front() == '/')
        return bad("is empty, too long or absolute");
    for (char c : path)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' && c != '/')
            return bad("has a character outside [A-Za-z0-9._-/]");
    std::string_view rest = path;
    while (!rest.empty()) {
        auto slash = rest.find('/');
        std::string_view part = rest.substr(0, slash);
        if (part.empty() || part == "." || part == "..")
            return bad("has an empty, '.' or '..' part");
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    }
    if (path.rfind("manifest", 0) == 0 && path.find('/') == std::string_view::npos)
        return bad("is a manifest");
    return {};
}

Result<std::vector<CheckpointFile>> scanCheckpoint(const std::string& dir, const std::string& prefix,
                                                   const KnownHash& known)
{
    std::vector<CheckpointFile> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec)
            return fail(ErrorCode::Internal, "reading checkpoint " + dir + ": " + ec.message());
        // lexically: fs::relative would follow CRIU's images/parent symlink.
        std::string rel = it->path().lexically_relative(dir).string();
        bool manifest = rel.rfind("manifest", 0) == 0 && rel.find('/') == std::string::npos;
        if (manifest || rel.rfind(prefix, 0) != 0)
            continue;
        CheckpointFile f;
        f.path = rel;
        if (it->is_symlink()) {
            f.symlink = fs::read_symlink(it->path(), ec).string();
        } else if (it->is_regular_file()) {
            f.size = it->file_size(ec);
            auto same = known ? known(rel, f.size) : std::nullopt;
            if (same) {
                f.sha256 = *same;
            } else {
                PV_TRY(f.sha256, Sha256::ofFile(it->path().string()));
            }
        } else {
            continue;
        }
        PV_TRY_STATUS(validateCheckpointPath(f.path));
        out.push_back(std::move(f));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    return out;
}

namespace {

// A regular file beneath `dir`, opened without following any symlink.
Result<UniqueFd> openRegular(const BeneathDir& dir, const std::string& path, struct stat* st)
{
    PV_TRY(UniqueFd fd, dir.openFile(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK));
    if (::fstat(fd.get(), st) < 0)
        return failErrno("examining checkpoint file " + path, errno);
    if (!S_ISREG(st->st_mode))
        return fail(ErrorCode::InvalidArgument, "checkpoint file " + path + " is not a regular file");
    return fd;
}

Result<std::string> hashFd(int fd, const std::string& path)
{
    Sha256 h;
    std::string buf(1 << 16, '\0');
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return failErrno("reading checkpoint file " + path, errno);
        if (n == 0)
            return h.hex();
        h.update(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    }
}

} // namespace

Status verifyCheckpoint(const std::string& dir, const std::vector<CheckpointFile>& files, const FileProgress& progress)
{
    PV_TRY(BeneathDir root, BeneathDir::open(dir));
    std::uint64_t done = 0, total = totalSize(files);
    for (const auto& f : files) {
        if (!f.symlink.empty()) {
            auto target = root.readLink(f.path);
            if (!target || *target != f.symlink)
                return fail(ErrorCode::InvalidArgument, "file " + f.path + " is corrupt: symlink target differs");
            continue;
        }
        struct stat st {};
        auto fd = openRegular(root, f.path, &st);
        if (!fd && fd.error().code == ErrorCode::NotFound)
            return fail(ErrorCode::NotFound, "file " + f.path + " of the checkpoint is missing");
        if (!fd)
            return fail(ErrorCode::InvalidArgument, "file " + f.path + " is corrupt: " + fd.error().message);
        if (static_cast<std::uint64_t>(st.st_size) != f.size)
            return fail(ErrorCode::InvalidArgument, "file " + f.path + " is corrupt: " + std::to_string(st.st_size) +
                                                        " bytes instead of " + std::to_string(f.size));
        PV_TRY(std::string sha, hashFd(fd->get(), f.path));
        if (sha != f.sha256)
            return fail(ErrorCode::InvalidArgument, "file " + f.path + " is corrupt: sha256 mismatch");
        done += f.size;
        if (progress)
            progress(done, total);
    }
    return {};
}

Status sendCheckpointFiles(const std::string& dir, const std::vector<CheckpointFile>& files, const DataSink& send,
                           const FileProgress& progress)
{
    PV_TRY(BeneathDir root, BeneathDir::open(dir));
    std::uint64_t done = 0, total = totalSize(files);
    std::string buf(kChunk, '\0');
    for (const auto& f : files) {
        if (!f.symlink.empty()) {
            PV_TRY_STATUS(send({{"stream", f.path}, {"offset", 0}, {"eof", true}, {"symlink", f.symlink}}, {}));
            continue;
        }
        struct stat st {};
        auto opened = openRegular(root, f.path, &st);
        if (!opened)
            return fail(opened.error().withContext("reading checkpoint file " + f.path));
        UniqueFd fd = std::move(*opened);
        std::uint64_t offset = 0;
        do {
            ssize_t n = ::read(fd.get(), buf.data(), buf.size());
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return failErrno("reading checkpoint file " + f.path, errno);
            bool eof = offset + static_cast<std::uint64_t>(n) >= f.size || n == 0;
            PV_TRY_STATUS(send({{"stream", f.path}, {"offset", offset}, {"eof", eof}},
                               std::string_view(buf.data(), static_cast<std::size_t>(n))));
            offset += static_cast<std::uint64_t>(n);
            done += static_cast<std::uint64_t>(n);
            if (progress)
                progress(done, total);
            if (eof)
                break;
        } while (true);
    }
    return {};
}

} // namespace pidvisor::protocol
