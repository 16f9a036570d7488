// AgentHarness: runs the real pidvisor-agent daemon for a test, with its own
// socket and state directory, and talks to it over the real protocol.
// The agent's log is printed when a test fails; everything it made is
// removed in the destructor.
#pragma once

#include "protocol/Commands.h"
#include "protocol/FrameChannel.h"
#include "protocol/Message.h"

#include <gtest/gtest.h>

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace pidvisor::test {

// Skips the test (visibly, with the reason) unless it runs as root.
#define PV_REQUIRE_ROOT()                                                                          \
    do {                                                                                           \
        if (::geteuid() != 0)                                                                      \
            GTEST_SKIP() << "needs root: containers need CAP_SYS_ADMIN for namespaces and mounts"; \
    } while (0)

std::string binDir();

// hello's arguments as a client of this protocol version sends them.
inline nlohmann::json helloArgs()
{
    return {{"client", "test"}, {"protocol", protocol::kProtocolVersion}};
}

class AgentHarness {
public:
    explicit AgentHarness(std::vector<std::string> extraArgs = {});
    ~AgentHarness();
    AgentHarness(const AgentHarness&) = delete;
    AgentHarness& operator=(const AgentHarness&) = delete;

    void start();
    void killHard(); // kill -9, as a crash would
    [[nodiscard]] bool running() const;

    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }
    [[nodiscard]] std::string socket() const { return (m_dir / "agent.sock").string(); }
    [[nodiscard]] std::string stateDir() const { return (m_dir / "state").string(); }
    [[nodiscard]] std::string imagesDir() const { return (m_dir / "images").string(); }
    [[nodiscard]] std::string log() const;
    [[nodiscard]] pid_t pid() const { return m_pid; }

    [[nodiscard]] protocol::FrameChannel connect() const;
    // One request on a fresh connection; the error when it failed.
    [[nodiscard]] Result<nlohmann::json> call(std::string_view cmd, nlohmann::json args = nlohmann::json::object()) const;
    // Runs the in-guest CLI against this agent; returns exit code, fills output.
    int cli(const std::vector<std::string>& args, std::string* out = nullptr) const;

private:
    std::filesystem::path m_dir;
    std::vector<std::string> m_extraArgs;
    pid_t m_pid = -1;
};

// Sends a request on an open channel and waits for its response.
[[nodiscard]] Result<protocol::Response> roundTrip(protocol::FrameChannel& channel, std::uint64_t id,
                                                   std::string_view cmd, nlohmann::json args,
                                                   std::string payload = {});
// The next response on the channel (any id), for raw-byte tests.
[[nodiscard]] Result<protocol::Response> nextResponse(protocol::FrameChannel& channel);

// A frame's prefix (magic, header and payload lengths) with any lengths,
// for tests that send malformed or partial frames byte by byte.
[[nodiscard]] std::string framePrefix(std::uint32_t headerLen, std::uint32_t payloadLen);

// Runs `sh -c script` in a container; returns stdout, asserts exit 0.
std::string execIn(const AgentHarness& agent, const std::string& name, const std::string& script);

// A whole file's text ("" when it cannot be read).
[[nodiscard]] std::string readFile(const std::string& path);

// "CapEff" -> "00000000a80425fb" from a /proc/PID/status text.
[[nodiscard]] std::map<std::string, std::string> statusFields(const std::string& text);

// The test workload binary (tests/workload), which the VM image has too.
[[nodiscard]] std::string testload();

// What the kernel answered to one escape attempt (`pidvisor-testload
// attempt WHAT`: "ok", "EPERM", ...) from inside container `name`.
std::string attemptIn(const AgentHarness& agent, const std::string& name, const std::string& what);

} // namespace pidvisor::test
