#include "ProcessIdentity.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace pidvisor::manager {

namespace {

std::string readFirstLine(const std::string& path)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

// Field 22 of /proc/<pid>/stat, or "" when the process is gone or a
// zombie (dead, only waiting for its parent to reap it). The command name
// (field 2) is in parentheses and may itself contain spaces and ')', so
// fields are counted from the last ')'.
std::string startTimeOf(std::int64_t pid)
{
    std::string stat = readFirstLine("/proc/" + std::to_string(pid) + "/stat");
    std::size_t close = stat.rfind(')');
    if (close == std::string::npos)
        return {};
    std::istringstream fields(stat.substr(close + 1));
    std::string field;
    for (int index = 3; index <= 22; ++index) {
        if (!(fields >> field))
            return {};
        if (index == 3 && (field == "Z" || field == "X"))
            return {};
    }
    return field;
}

} // namespace

ProcessIdentity::ProcessIdentity(std::int64_t pid, std::string token) : m_pid(pid), m_token(std::move(token)) {}

ProcessIdentity ProcessIdentity::current()
{
    // Not cached: a forked child must not inherit its parent's identity.
    std::int64_t pid = ::getpid();
    return ProcessIdentity(pid, tokenFor(pid));
}

std::string ProcessIdentity::tokenFor(std::int64_t pid)
{
    std::string bootId = readFirstLine("/proc/sys/kernel/random/boot_id");
    std::string startTime = startTimeOf(pid);
    if (bootId.empty() || startTime.empty())
        return {};
    return bootId + ":" + startTime;
}

bool ProcessIdentity::isRunning(std::int64_t pid, std::string_view token)
{
    if (pid <= 0 || token.empty())
        return false;
    std::string now = tokenFor(pid);
    return !now.empty() && now == token;
}

} // namespace pidvisor::manager
