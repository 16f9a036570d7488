#include "ProcessTable.h"

#include "protocol/UniqueFd.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <sstream>

namespace pidvisor::agent {

namespace {

// A /proc file's bytes, or nothing when it cannot be read: the process may
// exit between the directory listing and the read, and then read() fails
// (ESRCH). std::ifstream would throw from inside an istreambuf_iterator or
// getline there ("basic_filebuf::underflow error reading the file").
constexpr std::size_t kMaxProcFile = 4 << 20;

std::optional<std::string> readProcFile(const std::string& path)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        return std::nullopt;
    std::string text;
    char buffer[4096];
    while (text.size() < kMaxProcFile) {
        ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return std::nullopt;
        if (n == 0)
            break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
}

struct StatusFields {
    std::string name, state;
    pid_t ppid = 0;
    std::vector<pid_t> nspid;
};

std::optional<StatusFields> readStatus(const std::string& dir)
{
    auto text = readProcFile(dir + "/status");
    if (!text)
        return std::nullopt;
    std::istringstream in(*text);
    StatusFields f;
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        std::string key = line.substr(0, colon);
        std::istringstream value(line.substr(colon + 1));
        if (key == "Name") {
            value >> std::ws;
            std::getline(value, f.name);
        } else if (key == "State") {
            value >> f.state;
        } else if (key == "PPid") {
            value >> f.ppid;
        } else if (key == "NSpid") {
            pid_t p;
            while (value >> p)
                f.nspid.push_back(p);
        }
    }
    return f;
}

std::string readCmdline(const std::string& dir)
{
    std::string s = readProcFile(dir + "/cmdline").value_or("");
    while (!s.empty() && s.back() == '\0')
        s.pop_back();
    std::replace(s.begin(), s.end(), '\0', ' ');
    return s;
}

// True when the pid namespace of `dir` is `target` or nested below it,
// `depth` levels down at most.
bool inNamespace(const std::string& dir, std::uint64_t target, std::size_t depth)
{
    UniqueFd ns(::open((dir + "/ns/pid").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns)
        return false;
    for (std::size_t i = 0; i <= depth; ++i) {
        struct stat st {};
        if (::fstat(ns.get(), &st) < 0)
            return false;
        if (st.st_ino == target)
            return true;
        int parent = ::ioctl(ns.get(), NS_GET_PARENT);
        if (parent < 0)
            return false;
        ns.reset(parent);
    }
    return false;
}

} // namespace

std::optional<std::uint64_t> pidNamespaceInode(pid_t pid, const std::string& proc)
{
    struct stat st {};
    if (::stat((proc + "/" + std::to_string(pid) + "/ns/pid").c_str(), &st) < 0)
        return std::nullopt;
    return static_cast<std::uint64_t>(st.st_ino);
}

std::optional<std::uint64_t> processStartTime(pid_t pid, const std::string& proc)
{
    std::string text = readProcFile(proc + "/" + std::to_string(pid) + "/stat").value_or("");
    // comm may hold spaces and parentheses: fields start after the last ')'.
    auto close = text.rfind(')');
    if (close == std::string::npos)
        return std::nullopt;
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    for (int i = 3; i < 22 && rest >> field; ++i) {
    }
    std::uint64_t start = 0;
    if (!(rest >> start))
        return std::nullopt;
    return start;
}

Result<std::vector<ProcessInfo>> listNamespaceProcesses(std::uint64_t pidnsInode, const std::string& proc)
{
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(proc.c_str()), ::closedir);
    if (!dir)
        return failErrno("reading " + proc, errno);
    std::vector<ProcessInfo> found;
    std::map<pid_t, pid_t> vpidOf; // global pid -> virtual pid
    std::map<pid_t, pid_t> parentOf;
    while (dirent* e = ::readdir(dir.get())) {
        char* end = nullptr;
        long pid = std::strtol(e->d_name, &end, 10);
        if (pid <= 0 || *end != '\0')
            continue;
        std::string pdir = proc + "/" + e->d_name;
        auto status = readStatus(pdir);
        // NSpid has one entry per level from /proc's namespace down; the
        // container is one level below the agent.
        if (!status || status->nspid.size() < 2)
            continue;
        if (!inNamespace(pdir, pidnsInode, status->nspid.size() - 2))
            continue;
        ProcessInfo info;
        info.pid = static_cast<pid_t>(pid);
        info.vpid = status->nspid[1];
        info.comm = status->name;
        info.state = status->state;
        info.cmdline = readCmdline(pdir);
        vpidOf[info.pid] = info.vpid;
        parentOf[info.pid] = status->ppid;
        found.push_back(std::move(info));
    }
    for (auto& p : found) {
        auto it = vpidOf.find(parentOf[p.pid]);
        p.vppid = it == vpidOf.end() ? 0 : it->second;
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.vpid < b.vpid; });
    return found;
}

} // namespace pidvisor::agent
