#include "CheckpointReceiver.h"

#include "Message.h"
#include "Sha256.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <atomic>
#include <cstdio>
#include <random>
#include <set>

namespace pidvisor::protocol {

namespace {

std::string shown(const std::string& path)
{
    return path.substr(0, 100);
}

std::string parentOf(const std::string& path)
{
    auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

// A name no manifest entry can take by accident, next to the target so
// that the final rename stays within one directory and one filesystem.
std::string temporaryName(const std::string& path)
{
    static std::atomic<unsigned> counter{0};
    char suffix[40];
    std::snprintf(suffix, sizeof suffix, ".pv-receiving-%u-%08x", counter++, std::random_device{}());
    std::string parent = parentOf(path);
    return parent == "." ? std::string(suffix) : parent + "/" + suffix;
}

} // namespace

Status validateCheckpointFiles(const std::vector<CheckpointFile>& files)
{
    if (files.size() > kMaxCheckpointFiles)
        return fail(ErrorCode::InvalidArgument, "checkpoint lists " + std::to_string(files.size()) +
                                                    " files, more than the limit of " +
                                                    std::to_string(kMaxCheckpointFiles));
    std::set<std::string> paths;
    std::uint64_t total = 0;
    for (const auto& f : files) {
        PV_TRY_STATUS(validateCheckpointPath(f.path));
        if (!paths.insert(f.path).second)
            return fail(ErrorCode::InvalidArgument, "checkpoint lists file " + shown(f.path) + " twice");
        if (!f.symlink.empty()) {
            if (f.symlink.size() > kMaxSymlinkTarget || f.symlink.find('\0') != std::string::npos)
                return fail(ErrorCode::InvalidArgument, "symlink " + shown(f.path) + " has a target that is too long or has a NUL");
            if (f.size != 0)
                return fail(ErrorCode::InvalidArgument, "symlink " + shown(f.path) + " has a size");
            continue;
        }
        if (f.size > kMaxCheckpointFileSize)
            return fail(ErrorCode::InvalidArgument, "file " + shown(f.path) + " of " + std::to_string(f.size) +
                                                        " bytes exceeds the limit of " +
                                                        std::to_string(kMaxCheckpointFileSize));
        total += f.size;
        if (total > kMaxCheckpointSize)
            return fail(ErrorCode::InvalidArgument, "checkpoint exceeds the size limit of " +
                                                        std::to_string(kMaxCheckpointSize) + " bytes");
        if (f.sha256.size() != 64)
            return fail(ErrorCode::InvalidArgument, "file " + shown(f.path) + " has no valid sha256");
    }
    // An entry is a file or a symlink, so nothing may lie below it: a file
    // "images/parent/x" next to a symlink "images/parent" would be written
    // through that symlink.
    for (const auto& p : paths)
        for (auto slash = p.find('/'); slash != std::string::npos; slash = p.find('/', slash + 1))
            if (paths.count(p.substr(0, slash)))
                return fail(ErrorCode::InvalidArgument, "checkpoint file " + shown(p) + " lies below another entry, " +
                                                            shown(p.substr(0, slash)));
    return {};
}

struct CheckpointReceiver::Incoming {
    CheckpointFile want;
    std::string temp; // set once it was created
    UniqueFd fd;
    Sha256 hash;
    std::uint64_t written = 0;
    bool arrived = false;
};

CheckpointReceiver::CheckpointReceiver(BeneathDir dir, std::uint64_t total) : m_dir(std::move(dir)), m_total(total) {}

Result<std::unique_ptr<CheckpointReceiver>> CheckpointReceiver::open(const std::string& dir,
                                                                     const std::vector<CheckpointFile>& expected)
{
    PV_TRY_STATUS(validateCheckpointFiles(expected));
    PV_TRY(BeneathDir root, BeneathDir::open(dir, true));
    std::unique_ptr<CheckpointReceiver> r(new CheckpointReceiver(std::move(root), totalSize(expected)));
    for (const auto& f : expected) {
        auto in = std::make_unique<Incoming>();
        in->want = f;
        r->m_files[f.path] = std::move(in);
    }
    if (expected.empty())
        r->m_committed = true;
    return r;
}

CheckpointReceiver::~CheckpointReceiver()
{
    if (!m_committed)
        discard();
}

void CheckpointReceiver::discard()
{
    for (auto& [path, in] : m_files) {
        in->fd.reset();
        if (!in->temp.empty())
            (void)m_dir.remove(in->temp);
        in->temp.clear();
    }
}

Status CheckpointReceiver::accept(const Frame& data)
{
    if (m_failed)
        return fail(ErrorCode::FailedPrecondition, "the receive already failed: " + m_failed->message);
    if (m_committed)
        return fail(ErrorCode::ProtocolError, "data frame after the checkpoint was complete");
    auto ok = acceptFrame(data);
    if (!ok) {
        m_failed = ok.error();
        discard();
    }
    return ok;
}

Status CheckpointReceiver::acceptFrame(const Frame& data)
{
    PV_TRY(DataHeader header, parseData(data));
    auto it = m_files.find(header.stream);
    if (it == m_files.end())
        return fail(ErrorCode::InvalidArgument, "file " + shown(header.stream) + " is not in the checkpoint's manifest");
    Incoming& in = *it->second;
    const std::string& path = header.stream;
    if (in.arrived)
        return fail(ErrorCode::InvalidArgument, "file " + shown(path) + " arrived twice");
    if (!in.want.symlink.empty()) {
        if (header.symlink.value_or("") != in.want.symlink || !data.payload.empty())
            return fail(ErrorCode::InvalidArgument, "file " + path + " is corrupt: symlink target differs");
        PV_TRY_STATUS(m_dir.makeDirs(parentOf(path)));
        std::string temp = temporaryName(path);
        PV_TRY_STATUS(m_dir.symlink(in.want.symlink, temp));
        in.temp = temp;
        in.arrived = true;
        ++m_arrived;
        return m_arrived == m_files.size() ? commit() : Status{};
    }
    if (header.symlink)
        return fail(ErrorCode::InvalidArgument, "file " + path + " is corrupt: a symlink instead of a file");
    if (in.temp.empty())
        PV_TRY_STATUS(startFile(path, in));
    if (header.offset != in.written)
        return fail(ErrorCode::ProtocolError, "file " + path + " arrived out of order");
    if (data.payload.size() > in.want.size - in.written)
        return fail(ErrorCode::InvalidArgument, "file " + path + " is corrupt: more than its " +
                                                    std::to_string(in.want.size) + " bytes arrived");
    std::string_view rest = data.payload;
    while (!rest.empty()) {
        ssize_t n = ::write(in.fd.get(), rest.data(), rest.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return failErrno("writing checkpoint file " + path, errno);
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
    in.hash.update(data.payload);
    in.written += data.payload.size();
    m_bytes += data.payload.size();
    if (!header.eof)
        return {};
    PV_TRY_STATUS(finishFile(path, in));
    return m_arrived == m_files.size() ? commit() : Status{};
}

Status CheckpointReceiver::startFile(const std::string& path, Incoming& in)
{
    PV_TRY_STATUS(m_dir.makeDirs(parentOf(path)));
    std::string temp = temporaryName(path);
    PV_TRY(in.fd, m_dir.openFile(temp, O_WRONLY | O_CREAT | O_EXCL, 0600));
    in.temp = temp;
    return {};
}

Status CheckpointReceiver::finishFile(const std::string& path, Incoming& in)
{
    if (::fsync(in.fd.get()) < 0)
        return failErrno("writing checkpoint file " + path, errno);
    in.fd.reset();
    if (in.written != in.want.size || in.hash.hex() != in.want.sha256)
        return fail(ErrorCode::InvalidArgument, "file " + path + " is corrupt: sha256 mismatch on arrival");
    in.arrived = true;
    ++m_arrived;
    return {};
}

Status CheckpointReceiver::commit()
{
    std::set<std::string> parents;
    for (auto& [path, in] : m_files) {
        PV_TRY_STATUS(m_dir.rename(in->temp, path));
        in->temp.clear();
        parents.insert(parentOf(path));
    }
    for (const auto& p : parents)
        if (auto dir = m_dir.openFile(p, O_RDONLY | O_DIRECTORY))
            (void)::fsync(dir->get());
    m_committed = true;
    return {};
}

} // namespace pidvisor::protocol
