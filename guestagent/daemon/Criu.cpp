#include "Criu.h"

#include "CriuRpc.h"

#include "protocol/UniqueFd.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

namespace pidvisor::agent {

using nlohmann::json;

namespace {

Result<UniqueFd> openDirectory(const std::string& path, const std::string& what)
{
    UniqueFd fd(::open(path.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!fd)
        return failErrno("opening " + what + " " + path, errno);
    return fd;
}

// "criu dump failed: <CRIU's message>: <log lines> (full log: PATH)".
Error criuFailure(const std::string& verb, const CriuAnswer& answer, const std::string& log)
{
    std::string why = answer.crErrmsg;
    if (why.empty() && answer.crErrno != 0)
        why = std::strerror(answer.crErrno);
    std::string excerpt = criuLogExcerpt(log);
    return Error{ErrorCode::Internal,
                 "criu " + verb + " failed: " + (why.empty() ? excerpt : why + ": " + excerpt) + " (full log: " + log +
                     ")"};
}

} // namespace

int compareVersions(const std::string& a, const std::string& b)
{
    std::istringstream sa(a), sb(b);
    std::string pa, pb;
    while (true) {
        bool ga = static_cast<bool>(std::getline(sa, pa, '.'));
        bool gb = static_cast<bool>(std::getline(sb, pb, '.'));
        if (!ga && !gb)
            return 0;
        long na = ga ? std::strtol(pa.c_str(), nullptr, 10) : 0;
        long nb = gb ? std::strtol(pb.c_str(), nullptr, 10) : 0;
        if (na != nb)
            return na < nb ? -1 : 1;
    }
}

json criuStatsToJson(const CriuDumpStats& s)
{
    return json{{"freezing_time_us", s.freezingTimeUs},
                {"frozen_time_us", s.frozenTimeUs},
                {"memory_dump_time_us", s.memoryDumpTimeUs},
                {"memory_write_time_us", s.memoryWriteTimeUs},
                {"irmap_resolve_time_us", s.irmapResolveTimeUs},
                {"pages_scanned", s.pagesScanned},
                {"pages_skipped_parent", s.pagesSkippedParent},
                {"pages_written", s.pagesWritten},
                {"pages_lazy", s.pagesLazy}};
}

std::string criuLogExcerpt(const std::string& logPath)
{
    std::ifstream in(logPath);
    std::vector<std::string> errors;
    std::string line;
    while (std::getline(in, line))
        if (line.find("Error") != std::string::npos)
            errors.push_back(line);
    std::string out;
    std::size_t start = errors.size() > 3 ? errors.size() - 3 : 0;
    for (std::size_t i = start; i < errors.size(); ++i)
        out += (out.empty() ? "" : " | ") + errors[i];
    return out.empty() ? "no error lines in the log" : out;
}

Result<json> runCriuDump(const CriuDump& r)
{
    PV_TRY(UniqueFd images, openDirectory(r.imagesDir, "the images directory"));
    PV_TRY(UniqueFd work, openDirectory(r.workDir, "the log directory"));
    CriuDumpOptions o;
    o.preDump = r.preDump;
    o.pid = r.pid;
    o.imagesDirFd = images.get();
    o.workDirFd = work.get();
    o.logFile = r.logFile;
    o.parentImages = r.parentDir;
    o.trackMemory = r.trackMemory;
    o.leave = r.leave;
    o.notifyScripts = !r.preDump && r.postDump;
    std::string verb = r.preDump ? "pre-dump" : "dump";
    std::string log = r.workDir + "/" + r.logFile;
    std::optional<Error> refused; // the caller's own error, passed on as it is
    auto answer = callCriu(CriuRequest::dump(o), [&](const CriuNotification& note) -> Status {
        if (note.script != "post-dump" || !r.postDump)
            return {};
        auto done = r.postDump();
        if (!done)
            refused = done.error();
        return done;
    });
    if (refused)
        return fail(*refused);
    if (!answer)
        return fail(answer.error().withContext("criu " + verb + " (full log: " + log + ")"));
    if (!answer->success)
        return fail(criuFailure(verb, *answer, log));
    PV_TRY(CriuDumpStats stats, readDumpStats(r.imagesDir));
    return criuStatsToJson(stats);
}

Result<pid_t> runCriuRestore(const CriuRestore& r, const std::function<Status(pid_t)>& beforeResume)
{
    PV_TRY(UniqueFd images, openDirectory(r.imagesDir, "the checkpoint"));
    PV_TRY(UniqueFd work, openDirectory(r.workDir, "the log directory"));
    CriuRestoreOptions o;
    o.imagesDirFd = images.get();
    o.workDirFd = work.get();
    o.logFile = r.logFile;
    o.root = r.root;
    o.cgroupRoot = r.cgroupRoot;
    std::string log = r.workDir + "/" + r.logFile;
    // The root pid arrives with setup-namespaces; pre-resume is the moment to check.
    pid_t root = 0;
    std::optional<Error> refused;
    auto answer = callCriu(CriuRequest::restore(o), [&](const CriuNotification& note) -> Status {
        if (note.script == "setup-namespaces")
            root = note.pid;
        if (note.script != "pre-resume" || !beforeResume)
            return {};
        auto checked = beforeResume(root);
        if (!checked)
            refused = checked.error();
        return checked;
    });
    if (refused)
        return fail(*refused);
    if (!answer)
        return fail(answer.error().withContext("criu restore (full log: " + log + ")"));
    if (!answer->success)
        return fail(criuFailure("restore", *answer, log));
    if (answer->restoredPid <= 0)
        return fail(ErrorCode::Internal, "criu restore answered without a pid");
    return answer->restoredPid;
}

} // namespace pidvisor::agent
