#include "Criu.h"

#include "CommandRunner.h"
#include "ContainerSpec.h"
#include "CriuRpc.h"

#include "protocol/UniqueFd.h"

#include <fcntl.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

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

// CRIU writes its log and its statistics (stats-dump, stats-restore) into
// the work directory, the statistics with O_EXCL: in a shared directory an
// earlier run's file would silently stop this run's from being written, and
// two dumps at once would read each other's. So each run gets a private
// directory below the log directory; the log is moved up next to the other
// logs when the run ends (same name as before), the rest is removed.
class CriuWorkDir {
public:
    static Result<CriuWorkDir> make(const std::string& logDir, std::string logFile)
    {
        std::string tmpl = logDir + "/.criu-XXXXXX";
        if (!::mkdtemp(tmpl.data()))
            return failErrno("creating a work directory in " + logDir, errno);
        CriuWorkDir dir(logDir, tmpl, std::move(logFile));
        dir.m_fd = UniqueFd(::open(tmpl.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
        if (!dir.m_fd)
            return failErrno("opening the work directory " + tmpl, errno);
        return dir;
    }
    CriuWorkDir(CriuWorkDir&& other) noexcept
        : m_logDir(std::move(other.m_logDir)), m_path(std::exchange(other.m_path, {})),
          m_logFile(std::move(other.m_logFile)), m_fd(std::move(other.m_fd)), m_logMoved(other.m_logMoved)
    {
    }
    CriuWorkDir& operator=(CriuWorkDir&&) = delete;
    CriuWorkDir(const CriuWorkDir&) = delete;
    ~CriuWorkDir()
    {
        if (m_path.empty())
            return;
        m_fd.reset();
        moveLog();
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    // Once CRIU answered: the log goes next to the other logs.
    void moveLog()
    {
        if (!m_logMoved)
            ::rename((m_path + "/" + m_logFile).c_str(), logPath().c_str());
        m_logMoved = true;
    }
    [[nodiscard]] int fd() const { return m_fd.get(); }
    [[nodiscard]] const std::string& path() const { return m_path; }
    // Where the log is once the run ended (and where errors point).
    [[nodiscard]] std::string logPath() const { return m_logDir + "/" + m_logFile; }

private:
    CriuWorkDir(std::string logDir, std::string path, std::string logFile)
        : m_logDir(std::move(logDir)), m_path(std::move(path)), m_logFile(std::move(logFile))
    {
    }
    std::string m_logDir;
    std::string m_path;
    std::string m_logFile;
    UniqueFd m_fd;
    bool m_logMoved = false;
};

} // namespace

bool criuLocksWithNftables()
{
    static const bool nftables = [] {
        CommandPlan plan;
        plan.argv = {"criu", "check", "--feature", "network_lock_nftables"};
        plan.env = withDefaultEnv({});
        plan.timeout = std::chrono::seconds(30);
        auto r = runCommand(plan);
        return r && r->exitCode == 0;
    }();
    return nftables;
}

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
    PV_TRY(CriuWorkDir work, CriuWorkDir::make(r.workDir, r.logFile));
    CriuDumpOptions o;
    o.preDump = r.preDump;
    o.pid = r.pid;
    o.imagesDirFd = images.get();
    o.workDirFd = work.fd();
    o.logFile = r.logFile;
    o.parentImages = r.parentDir;
    o.trackMemory = r.trackMemory;
    o.leave = r.leave;
    o.notifyScripts = !r.preDump && r.postDump;
    o.nftablesLock = criuLocksWithNftables();
    o.externals = r.externals;
    std::string verb = r.preDump ? "pre-dump" : "dump";
    std::string log = work.logPath();
    std::optional<Error> refused; // the caller's own error, passed on as it is
    auto answer = callCriu(CriuRequest::dump(o), [&](const CriuNotification& note) -> Status {
        if (note.script != "post-dump" || !r.postDump)
            return {};
        auto done = r.postDump();
        if (!done)
            refused = done.error();
        return done;
    });
    work.moveLog();
    if (refused)
        return fail(*refused);
    if (!answer)
        return fail(answer.error().withContext("criu " + verb + " (full log: " + log + ")"));
    if (!answer->success)
        return fail(criuFailure(verb, *answer, log));
    PV_TRY(CriuDumpStats stats, readDumpStats(work.path()));
    return criuStatsToJson(stats);
}

Result<pid_t> runCriuRestore(const CriuRestore& r, const std::function<Status(pid_t)>& beforeResume)
{
    PV_TRY(UniqueFd images, openDirectory(r.imagesDir, "the checkpoint"));
    PV_TRY(CriuWorkDir work, CriuWorkDir::make(r.workDir, r.logFile));
    CriuRestoreOptions o;
    o.imagesDirFd = images.get();
    o.workDirFd = work.fd();
    o.logFile = r.logFile;
    o.root = r.root;
    o.cgroupRoot = r.cgroupRoot;
    o.tcpClose = r.tcpClose;
    o.nftablesLock = criuLocksWithNftables();
    o.externals = r.externals;
    std::string log = work.logPath();
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
    work.moveLog();
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
