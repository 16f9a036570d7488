#include "AgentHarness.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace pidvisor::test {

namespace fs = std::filesystem;
using nlohmann::json;

std::string binDir()
{
    return PIDVISOR_BIN_DIR;
}

namespace {
std::atomic<int> g_counter{0};

pid_t spawn(const std::vector<std::string>& args, const std::string& logPath)
{
    pid_t pid = ::fork();
    if (pid == 0) {
        FILE* log = std::fopen(logPath.c_str(), "a");
        if (log) {
            ::dup2(::fileno(log), 1);
            ::dup2(::fileno(log), 2);
        }
        std::vector<char*> argv;
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}
} // namespace

AgentHarness::AgentHarness(std::vector<std::string> extraArgs) : m_extraArgs(std::move(extraArgs))
{
    m_dir = fs::path("/tmp") / ("pvtest-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter++));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    start();
}

void AgentHarness::start()
{
    // Images are directories the tests make; the host's disks are not ours.
    std::vector<std::string> args{binDir() + "/pidvisor-agent", "serve", "--socket", socket(), "--state-dir",
                                  stateDir(), "--images-dir", imagesDir(), "--no-image-disks"};
    args.insert(args.end(), m_extraArgs.begin(), m_extraArgs.end());
    // Ready when this run has logged READY: before that, a connect may
    // reach a copy of the previous run's socket (see listenUnix).
    auto readyLines = [this] {
        std::string text = log();
        std::size_t n = 0;
        for (auto at = text.find(" READY "); at != std::string::npos; at = text.find(" READY ", at + 1))
            ++n;
        return n;
    };
    const std::size_t before = readyLines();
    m_pid = spawn(args, (m_dir / "agent.log").string());
    for (int i = 0; i < 500; ++i) {
        if (readyLines() > before && protocol::connectUnixSocket(socket()))
            return;
        int status;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            ADD_FAILURE() << "agent exited at start:\n" << log();
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "agent did not open its socket:\n" << log();
}

bool AgentHarness::running() const
{
    return m_pid > 0 && ::kill(m_pid, 0) == 0;
}

void AgentHarness::killHard()
{
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
        m_pid = -1;
    }
}

AgentHarness::~AgentHarness()
{
    if (m_pid > 0 && ::testing::Test::HasFailure())
        std::fprintf(stderr, "---- agent log (%s) ----\n%s\n", m_dir.c_str(), log().c_str());
    if (m_pid > 0) {
        if (auto list = call("container-list"); list)
            for (const auto& c : (*list)["containers"])
                (void)call("container-rm", {{"name", c["name"]}, {"force", true}});
        ::kill(m_pid, SIGTERM);
        ::waitpid(m_pid, nullptr, 0);
    }
    if (!::testing::Test::HasFailure())
        fs::remove_all(m_dir);
}

std::string AgentHarness::log() const
{
    std::ifstream in(m_dir / "agent.log");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

protocol::FrameChannel AgentHarness::connect() const
{
    auto fd = protocol::connectUnixSocket(socket());
    EXPECT_TRUE(fd) << fd.error().message;
    return protocol::FrameChannel(fd ? std::move(*fd) : UniqueFd{});
}

Result<json> AgentHarness::call(std::string_view cmd, json args) const
{
    auto fd = protocol::connectUnixSocket(socket());
    if (!fd)
        return fail(fd.error());
    protocol::FrameChannel channel(std::move(*fd));
    PV_TRY(protocol::Response r, roundTrip(channel, 1, cmd, std::move(args)));
    return r.result;
}

int AgentHarness::cli(const std::vector<std::string>& args, std::string* out) const
{
    std::string cmd = binDir() + "/pidvisor-agent --socket " + socket();
    for (const auto& a : args)
        cmd += " '" + a + "'";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        text.append(buf, n);
    int status = ::pclose(p);
    if (out)
        *out = text;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Result<protocol::Response> roundTrip(protocol::FrameChannel& channel, std::uint64_t id, std::string_view cmd,
                                     json args, std::string payload)
{
    PV_TRY_STATUS(channel.send(protocol::makeRequest(id, cmd, std::move(args), std::move(payload))));
    for (;;) {
        PV_TRY(protocol::Response r, nextResponse(channel));
        if (r.id == id || r.id == protocol::kConnectionId)
            return r;
    }
}

Result<protocol::Response> nextResponse(protocol::FrameChannel& channel)
{
    for (;;) {
        PV_TRY(protocol::Frame frame, channel.receive(std::chrono::seconds(30)));
        if (protocol::frameKind(frame) == "response")
            return protocol::parseResponse(std::move(frame));
    }
}

std::string execIn(const AgentHarness& agent, const std::string& name, const std::string& script)
{
    auto r = agent.call("container-exec", {{"name", name}, {"argv", {"/bin/sh", "-c", script}}});
    EXPECT_TRUE(r) << (r ? "" : r.error().describe());
    if (!r)
        return {};
    EXPECT_EQ((*r)["exit_code"], 0) << "script: " << script << "\nstderr: " << (*r)["stderr"];
    return (*r)["stdout"].get<std::string>();
}

std::string readFile(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// "CapEff" -> "00000000a80425fb" from a /proc/PID/status text.
std::map<std::string, std::string> statusFields(const std::string& text)
{
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        out[line.substr(0, colon)] = value;
    }
    return out;
}

std::string testload()
{
    return binDir() + "/pidvisor-testload";
}

std::string attemptIn(const AgentHarness& agent, const std::string& name, const std::string& what)
{
    std::string out = execIn(agent, name, testload() + " attempt " + what);
    if (!out.empty() && out.back() == '\n')
        out.pop_back();
    return out;
}

std::string framePrefix(std::uint32_t headerLen, std::uint32_t payloadLen)
{
    std::string p(protocol::kFrameMagic);
    for (auto v : {headerLen, payloadLen})
        for (int shift : {24, 16, 8, 0})
            p.push_back(static_cast<char>((v >> shift) & 0xff));
    return p;
}

} // namespace pidvisor::test
