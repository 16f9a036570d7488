#include "Checks.h"

#include "CheckpointFiles.h"
#include "Names.h"

#include <arpa/inet.h>

#include <climits>
#include <cstdio>
#include <csignal>
#include <map>

namespace pidvisor::protocol {

namespace {

Status checkStrings(std::string_view what, const std::vector<std::string>& list, std::size_t maxItems,
                    std::size_t maxBytes)
{
    if (list.size() > maxItems)
        return fail(ErrorCode::InvalidArgument, std::string(what) + " has " + std::to_string(list.size()) +
                                                    " elements, more than the limit of " + std::to_string(maxItems));
    std::size_t total = 0;
    for (const auto& s : list) {
        if (s.find('\0') != std::string::npos)
            return fail(ErrorCode::InvalidArgument, std::string(what) + " contains a NUL byte");
        total += s.size() + 1;
        if (total > maxBytes)
            return fail(ErrorCode::InvalidArgument, std::string(what) + " exceeds " + std::to_string(maxBytes) + " bytes");
    }
    return {};
}

} // namespace

Status failRange(std::string_view what, std::int64_t min, std::int64_t max)
{
    return fail(ErrorCode::InvalidArgument,
                std::string(what) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
}

Status failTooLong(std::string_view what, std::size_t max)
{
    return fail(ErrorCode::InvalidArgument, std::string(what) + " exceeds " + std::to_string(max) + " bytes");
}

Status checkContainerName(std::string_view, const std::string& name)
{
    return validateName("container name", name);
}

Status checkCheckpointId(std::string_view, const std::string& id)
{
    return validateName("checkpoint id", id);
}

Status checkHostname(std::string_view, const std::string& name)
{
    return validateName("hostname", name);
}

Status checkIpv4(std::string_view what, const std::string& address)
{
    in_addr a{};
    if (address.size() > 15 || ::inet_pton(AF_INET, address.c_str(), &a) != 1)
        return fail(ErrorCode::InvalidArgument, std::string(what) + " " + quoteForMessage(address) +
                                                    " is not an IPv4 address like 10.84.0.130");
    return {};
}

Status checkIpv4Interface(std::string_view what, const std::string& address)
{
    auto bad = [&](const std::string& why) {
        return fail(ErrorCode::InvalidArgument, std::string(what) + " " + quoteForMessage(address) + " " + why);
    };
    auto slash = address.find('/');
    if (slash == std::string::npos || slash + 1 >= address.size() || address.size() - slash > 3)
        return bad("is not an address with its prefix like 10.84.0.130/24");
    in_addr a{};
    if (::inet_pton(AF_INET, address.substr(0, slash).c_str(), &a) != 1)
        return bad("is not an address with its prefix like 10.84.0.130/24");
    int prefix = 0;
    for (char c : address.substr(slash + 1)) {
        if (c < '0' || c > '9')
            return bad("is not an address with its prefix like 10.84.0.130/24");
        prefix = prefix * 10 + (c - '0');
    }
    if (prefix < 8 || prefix > 30)
        return bad("has a prefix outside 8 to 30");
    std::uint32_t host = ntohl(a.s_addr) & ~(~0U << (32 - prefix));
    if (host == 0 || host == ~(~0U << (32 - prefix)))
        return bad("is its network's own or broadcast address");
    return {};
}

Status checkDnsServers(std::string_view what, const std::vector<std::string>& servers)
{
    if (servers.size() > 3)
        return fail(ErrorCode::InvalidArgument, std::string(what) + " lists more than 3 servers");
    for (const auto& s : servers)
        PV_TRY_STATUS(checkIpv4(what, s));
    return {};
}

Status checkMac(std::string_view what, const std::string& mac)
{
    auto bad = [&](const std::string& why) {
        return fail(ErrorCode::InvalidArgument, std::string(what) + " " + quoteForMessage(mac) + " " + why);
    };
    if (mac.size() != 17)
        return bad("is not a MAC address like 02:70:76:00:00:82");
    for (std::size_t i = 0; i < mac.size(); ++i) {
        char c = mac[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        if (i % 3 == 2 ? c != ':' : !hex)
            return bad("is not a MAC address like 02:70:76:00:00:82 (lowercase hex)");
    }
    int first = std::stoi(mac.substr(0, 2), nullptr, 16);
    if (first & 1)
        return bad("is a multicast address");
    if (mac == "00:00:00:00:00:00")
        return bad("is all zeros");
    return {};
}

Status checkCommand(std::string_view what, const std::vector<std::string>& argv)
{
    if (argv.empty())
        return fail(ErrorCode::InvalidArgument, std::string(what) + " must not be empty");
    PV_TRY_STATUS(checkStrings(what, argv, kMaxArgs, kMaxArgBytes));
    if (argv.front().empty())
        return fail(ErrorCode::InvalidArgument, "the command (argv[0]) is empty");
    return {};
}

Status checkEnv(std::string_view what, const std::vector<std::string>& env)
{
    PV_TRY_STATUS(checkStrings(what, env, kMaxEnv, kMaxArgBytes));
    for (const auto& e : env) {
        auto eq = e.find('=');
        if (eq == std::string::npos || eq == 0)
            return fail(ErrorCode::InvalidArgument, "environment entry " + quoteForMessage(e) + " is not KEY=VALUE");
    }
    return {};
}

Status checkArgvPart(std::string_view what, const std::vector<std::string>& argv)
{
    return checkStrings(what, argv, kMaxArgs, kMaxArgBytes);
}

Status checkImageDigest(std::string_view what, const std::string& digest)
{
    constexpr std::string_view prefix = "sha256:";
    bool ok = digest.size() == prefix.size() + 64 && digest.starts_with(prefix) &&
              digest.find_first_not_of("0123456789abcdef", prefix.size()) == std::string::npos;
    if (!ok)
        return fail(ErrorCode::InvalidArgument,
                    std::string(what) + " " + quoteForMessage(digest) + " is not sha256: and 64 hex digits");
    return {};
}

Status checkImageName(std::string_view, const std::string& name)
{
    return validateName("image name", name);
}

Status checkAbsolutePath(std::string_view, const std::string& path)
{
    const std::string what = "working directory";
    if (path.empty() || path.front() != '/')
        return fail(ErrorCode::InvalidArgument, what + " " + quoteForMessage(path) + " is not an absolute path");
    if (path.find('\0') != std::string::npos)
        return fail(ErrorCode::InvalidArgument, what + " contains a NUL byte");
    if (path.size() >= PATH_MAX)
        return fail(ErrorCode::InvalidArgument, what + " is longer than " + std::to_string(PATH_MAX - 1) + " bytes");
    return {};
}

Status checkCheckpointPaths(std::string_view what, const std::vector<std::string>& paths)
{
    PV_TRY_STATUS(checkStrings(what, paths, kMaxCheckpointPaths, kMaxCheckpointPathBytes));
    for (const auto& p : paths)
        PV_TRY_STATUS(validateCheckpointPath(p));
    return {};
}

Status checkCheckpointKind(std::string_view what, const std::string& kind)
{
    if (kind != "dump" && kind != "pre-dump")
        return fail(ErrorCode::InvalidArgument, std::string(what) + " must be dump or pre-dump");
    return {};
}

Status checkCheckpointAfter(std::string_view what, const std::string& after)
{
    if (after != "kill" && after != "run" && after != "stop")
        return fail(ErrorCode::InvalidArgument, std::string(what) + " must be kill, run or stop");
    return {};
}

Status checkPreDumpParent(std::string_view what, const std::string& parent)
{
    if (parent.empty())
        return {};
    if (parent.rfind("pre-", 0) != 0)
        return fail(ErrorCode::InvalidArgument, std::string(what) + " must name a pre-dump round (pre-N)");
    return validateName("parent", parent);
}

Status checkSignal(std::string_view, const int& signal)
{
    if (signal < 1 || signal >= NSIG)
        return fail(ErrorCode::InvalidArgument, "signal " + std::to_string(signal) + " is out of range");
    return {};
}

Result<int> signalFromText(std::string_view text)
{
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos && text.size() < 6) {
        int n = std::stoi(std::string(text));
        PV_TRY_STATUS(checkSignal("signal", n));
        return n;
    }
    std::string name(text);
    if (name.rfind("SIG", 0) == 0)
        name = name.substr(3);
    static const std::map<std::string, int> kSignals{
        {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL}, {"USR1", SIGUSR1},
        {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"STOP", SIGSTOP}, {"CONT", SIGCONT}, {"ALRM", SIGALRM},
        {"WINCH", SIGWINCH}};
    auto it = kSignals.find(name);
    if (it == kSignals.end())
        return fail(ErrorCode::InvalidArgument, "signal " + quoteForMessage(name) + " is not known");
    return it->second;
}

} // namespace pidvisor::protocol
