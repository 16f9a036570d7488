// Checks: the limits and rules a field of a request or record must meet,
// for use in a record's fields() (Schema.h). Each answers InvalidArgument
// with one phrase naming the field and the rule.
#pragma once

#include "Result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pidvisor::protocol {

// Limits of PROTOCOL.md "Names and limits".
inline constexpr std::size_t kMaxArgs = 4096;
inline constexpr std::size_t kMaxEnv = 1024;
inline constexpr std::size_t kMaxArgBytes = 256 * 1024;
inline constexpr std::size_t kMaxStdin = 64 * 1024;
inline constexpr std::int64_t kMaxTimeoutMs = 24LL * 3600 * 1000;
inline constexpr std::int64_t kMaxLogBytes = 4 << 20;
inline constexpr std::size_t kMaxNonce = 128;
inline constexpr std::size_t kMaxTag = 128;
inline constexpr std::size_t kMaxCheckpointPaths = 100000;
inline constexpr std::size_t kMaxCheckpointPathBytes = 16 << 20;
inline constexpr std::size_t kMaxClientName = 256;

[[nodiscard]] Status checkContainerName(std::string_view what, const std::string& name);
[[nodiscard]] Status checkCheckpointId(std::string_view what, const std::string& id);
[[nodiscard]] Status checkHostname(std::string_view what, const std::string& name);
// argv: 1 to kMaxArgs strings, argv[0] not empty, no NUL, kMaxArgBytes in all.
[[nodiscard]] Status checkCommand(std::string_view what, const std::vector<std::string>& argv);
// env: at most kMaxEnv KEY=VALUE strings, no NUL, kMaxArgBytes in all.
[[nodiscard]] Status checkEnv(std::string_view what, const std::vector<std::string>& env);
// An absolute path without NUL bytes, shorter than PATH_MAX.
[[nodiscard]] Status checkAbsolutePath(std::string_view what, const std::string& path);
// An image's argv part (Entrypoint, Cmd): may be empty, bounded like argv.
[[nodiscard]] Status checkArgvPart(std::string_view what, const std::vector<std::string>& argv);
// A content digest: "sha256:" and 64 lowercase hex digits.
[[nodiscard]] Status checkImageDigest(std::string_view what, const std::string& digest);
// An image name: like a container name (letters, digits, '.', '_', '-').
[[nodiscard]] Status checkImageName(std::string_view what, const std::string& name);
// Relative checkpoint file paths (protocol/CheckpointFiles.h's rule).
[[nodiscard]] Status checkCheckpointPaths(std::string_view what, const std::vector<std::string>& paths);
[[nodiscard]] Status checkCheckpointKind(std::string_view what, const std::string& kind);
[[nodiscard]] Status checkCheckpointAfter(std::string_view what, const std::string& after);
// A previous pre-dump round: "pre-N".
[[nodiscard]] Status checkPreDumpParent(std::string_view what, const std::string& parent);
// IPv4 in dotted quads: an interface address with its prefix
// ("10.84.0.130/24", prefix 8 to 30, neither the network's nor its
// broadcast address), a plain address, a list of DNS servers (at most 3).
[[nodiscard]] Status checkIpv4Interface(std::string_view what, const std::string& address);
[[nodiscard]] Status checkIpv4(std::string_view what, const std::string& address);
[[nodiscard]] Status checkDnsServers(std::string_view what, const std::vector<std::string>& servers);
// An Ethernet unicast address, "02:70:76:00:00:82" (lowercase hex).
[[nodiscard]] Status checkMac(std::string_view what, const std::string& mac);
// 1-64 (the kernel's NSIG is 65).
[[nodiscard]] Status checkSignal(std::string_view what, const int& signal);

[[nodiscard]] Status failRange(std::string_view what, std::int64_t min, std::int64_t max);
[[nodiscard]] Status failTooLong(std::string_view what, std::size_t max);

template <std::int64_t Min, std::int64_t Max, class T>
Status inRangeOf(std::string_view what, const T& value)
{
    if (static_cast<std::int64_t>(value) < Min || static_cast<std::int64_t>(value) > Max)
        return failRange(what, Min, Max);
    return {};
}

template <std::int64_t Min, std::int64_t Max>
Status inRange(std::string_view what, const std::int64_t& value)
{
    return inRangeOf<Min, Max>(what, value);
}

// A user namespace's base uid: above the VM's own ids (0..65535), and its
// whole range of 65536 valid uids.
inline Status checkUsernsBase(std::string_view what, const std::int64_t& base)
{
    return inRange<65536, 4294901759>(what, base);
}

template <std::size_t Max>
Status maxBytes(std::string_view what, const std::string& value)
{
    if (value.size() > Max)
        return failTooLong(what, Max);
    return {};
}

// A signal by number ("9") or name ("TERM", "SIGKILL"), for front ends that
// take one from a person; nullopt when it is neither.
[[nodiscard]] Result<int> signalFromText(std::string_view text);

} // namespace pidvisor::protocol
