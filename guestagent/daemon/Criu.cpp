#include "Criu.h"

#include "ChildStatus.h"
#include "CommandRunner.h"
#include "ContainerSpec.h"
#include "Syscalls.h"

#include "protocol/Protobuf.h"
#include "protocol/UniqueFd.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cerrno>
#include <fstream>
#include <regex>
#include <sstream>

namespace pidvisor::agent {

using nlohmann::json;

namespace {

constexpr std::uint32_t kImgCommonMagic = 0x54564319;
constexpr std::uint32_t kPstreeMagic = 0x50273030;
constexpr int kReqRestore = 2;
constexpr int kReqNotify = 6;

std::uint32_t le32(const std::string& s, std::size_t at)
{
    auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])); };
    return b(0) | b(1) << 8 | b(2) << 16 | b(3) << 24;
}

std::string criuBinary()
{
    for (const char* p : {"/usr/sbin/criu", "/usr/bin/criu", "/sbin/criu"})
        if (::access(p, X_OK) == 0)
            return p;
    return "criu";
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

json parseCriuStats(const std::string& output)
{
    static const std::vector<std::pair<std::string, std::string>> keys{
        {"Freezing time", "freezing_time_us"},
        {"Frozen time", "frozen_time_us"},
        {"Memory dump time", "memory_dump_time_us"},
        {"Memory write time", "memory_write_time_us"},
        {"IRMAP resolve time", "irmap_resolve_time_us"},
        {"Memory pages scanned", "pages_scanned"},
        {"Memory pages skipped from parent", "pages_skipped_parent"},
        {"Memory pages written", "pages_written"},
        {"Lazy memory pages", "pages_lazy"},
    };
    json stats = json::object();
    std::istringstream in(output);
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        std::string key = line.substr(0, colon);
        for (const auto& [label, name] : keys)
            if (key == label)
                stats[name] = std::strtoll(line.c_str() + colon + 1, nullptr, 10);
    }
    return stats;
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
    CommandPlan plan;
    plan.argv = {criuBinary(), r.preDump ? "pre-dump" : "dump", "-t", std::to_string(r.pid), "-D", r.imagesDir,
                 "-W", r.workDir, "-o", r.logFile, "-v4", "--display-stats"};
    if (!r.parentDir.empty())
        plan.argv.insert(plan.argv.end(), {"--prev-images-dir", r.parentDir});
    if (r.trackMemory || r.preDump)
        plan.argv.push_back("--track-mem");
    if (!r.preDump) {
        if (r.leave == "running")
            plan.argv.push_back("--leave-running");
        else if (r.leave == "stopped")
            plan.argv.push_back("--leave-stopped");
        if (!r.postDumpScript.empty())
            plan.argv.insert(plan.argv.end(), {"--action-script", r.postDumpScript});
    }
    plan.env = withDefaultEnv({});
    plan.timeout = std::chrono::minutes(30);
    PV_TRY(CommandResult result, runCommand(plan));
    if (result.exitCode != 0) {
        std::string log = r.workDir + "/" + r.logFile;
        return fail(ErrorCode::Internal, std::string("criu ") + (r.preDump ? "pre-dump" : "dump") + " failed: " +
                                             criuLogExcerpt(log) + " (full log: " + log + ")");
    }
    return parseCriuStats(result.out + "\n" + result.err);
}

Result<std::vector<PstreeEntry>> readPstree(const std::string& imagesDir)
{
    std::string path = imagesDir + "/pstree.img";
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail(ErrorCode::NotFound, "checkpoint has no " + path);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (data.size() < 8 || le32(data, 0) != kImgCommonMagic || le32(data, 4) != kPstreeMagic)
        return fail(ErrorCode::InvalidArgument, path + " is not a CRIU process tree image");
    std::vector<PstreeEntry> out;
    for (std::size_t at = 8; at + 4 <= data.size();) {
        std::uint32_t size = le32(data, at);
        at += 4;
        if (at + size > data.size())
            return fail(ErrorCode::InvalidArgument, path + " is truncated");
        PV_TRY(pb::Message m, pb::Message::parse(std::string_view(data).substr(at, size)));
        at += size;
        PstreeEntry e;
        e.pid = static_cast<std::uint32_t>(m.varint(1));
        e.ppid = static_cast<std::uint32_t>(m.varint(2));
        e.pgid = static_cast<std::uint32_t>(m.varint(3));
        e.sid = static_cast<std::uint32_t>(m.varint(4));
        for (auto t : m.varints(5))
            e.threads.push_back(static_cast<std::uint32_t>(t));
        out.push_back(e);
    }
    return out;
}

namespace {

// Answers CRIU's notifications until its final response. The root pid
// arrives with setup-namespaces; pre-resume is the moment to check.
Result<pb::Message> converse(int sock, const std::function<Status(pid_t)>& beforeResume, pid_t& root,
                             std::optional<Error>& rejected)
{
    std::string buf(1 << 16, '\0');
    for (;;) {
        ssize_t n = ::recv(sock, buf.data(), buf.size(), 0);
        if (n < 0)
            return failErrno("reading criu's answer", errno);
        if (n == 0)
            return fail(ErrorCode::Internal, "criu restore ended without an answer");
        PV_TRY(pb::Message resp, pb::Message::parse(std::string_view(buf.data(), static_cast<std::size_t>(n))));
        if (resp.varint(1) != kReqNotify)
            return resp;
        PV_TRY(pb::Message note, pb::Message::parse(resp.bytes(5)));
        std::string script = note.bytes(1);
        if (script == "setup-namespaces")
            root = note.int32(2);
        bool ok = true;
        if (script == "pre-resume" && beforeResume) {
            if (auto checked = beforeResume(root); !checked) {
                rejected = checked.error();
                ok = false;
            }
        }
        pb::Writer ack;
        ack.varint(1, kReqNotify).boolean(3, ok);
        if (::send(sock, ack.data().data(), ack.data().size(), MSG_NOSIGNAL) < 0)
            return failErrno("answering criu", errno);
    }
}

} // namespace

Result<pid_t> runCriuRestore(const CriuRestore& r, const std::function<Status(pid_t)>& beforeResume)
{
    UniqueFd images(::open(r.imagesDir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    UniqueFd work(::open(r.workDir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!images || !work)
        return failErrno("opening the checkpoint for restore", errno);
    pb::Writer opts;
    opts.int32(1, images.get()).int32(9, 4).bytes(10, r.logFile).boolean(12, true).bytes(13, r.root);
    opts.int32(17, work.get()).boolean(26, true);
    if (!r.cgroupRoot.empty())
        opts.message(25, pb::Writer().bytes(2, r.cgroupRoot));
    pb::Writer request;
    request.varint(1, kReqRestore).message(2, opts);

    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return failErrno("creating a socket for criu", errno);
    UniqueFd ours(sv[0]), theirs(sv[1]);
    std::vector<std::string> args{criuBinary(), "swrk", std::to_string(theirs.get())};
    CStringArray argv(args), envp(withDefaultEnv({}));
    clone_args ca{};
    ca.exit_signal = SIGCHLD;
    pid_t pid = sys::clone3(ca);
    if (pid == 0) {
        ::fcntl(sv[1], F_SETFD, 0); // criu keeps this one across exec
        sys::resetSignals();
        ::execve(argv.data()[0], argv.data(), envp.data());
        ::_exit(127);
    }
    if (pid < 0)
        return failErrno("starting criu swrk", errno);
    theirs.reset();
    pid_t root = 0;
    std::optional<Error> rejected;
    auto resp = ::send(ours.get(), request.data().data(), request.data().size(), MSG_NOSIGNAL) < 0
                    ? Result<pb::Message>(failErrno("sending the restore request to criu", errno))
                    : converse(ours.get(), beforeResume, root, rejected);
    ours.reset();
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    std::string log = r.workDir + "/" + r.logFile;
    if (rejected)
        return fail(*rejected);
    if (!resp)
        return fail(resp.error().withContext(criuLogExcerpt(log) + " (full log: " + log + ")"));
    if (!resp->varint(2)) {
        std::string why = resp->bytes(9);
        return fail(ErrorCode::Internal, "criu restore failed: " + (why.empty() ? criuLogExcerpt(log) : why) +
                                             " (full log: " + log + ")");
    }
    PV_TRY(pb::Message restored, pb::Message::parse(resp->bytes(4)));
    pid_t restoredRoot = restored.int32(1);
    if (restoredRoot <= 0)
        return fail(ErrorCode::Internal, "criu restore answered without a pid");
    return restoredRoot;
}

} // namespace pidvisor::agent
