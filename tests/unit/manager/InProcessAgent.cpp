#include "InProcessAgent.h"

#include "daemon/Cgroups.h"
#include "daemon/CheckpointManager.h"
#include "daemon/ContainerManager.h"
#include "daemon/ContainerStore.h"
#include "daemon/Dispatcher.h"
#include "daemon/PidSpace.h"
#include "daemon/Reaper.h"
#include "daemon/ServerBudget.h"
#include "daemon/Session.h"
#include "daemon/SystemInfo.h"

#include "protocol/FrameChannel.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>

namespace pidvisor::manager::test {

using namespace pidvisor::agent;

namespace {

int threadCount()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("Threads:", 0) == 0)
            return std::stoi(line.substr(8));
    return 0;
}

std::pair<UniqueFd, UniqueFd> socketPair()
{
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        throw std::runtime_error("socketpair failed");
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

} // namespace

// One agent process: what AgentServer builds, on a temp state directory.
struct InProcessAgent::Instance {
    Instance(const std::filesystem::path& dir, std::string id)
        : store(dir), cgroups(Cgroups::detect((dir / "no-cgroups").string())),
          pidSpace(std::move(choosePidSpace("clone3").value())), images((dir / "images").string(), "", ""),
          containers(store, cgroups, *pidSpace, reaper, images, AgentPaths{}),
          checkpoints(containers, dir.string(), AgentVersions{"test", "6.12", ""}), info(makeInfo(std::move(id))),
          dispatcher(containers, checkpoints, info)
    {
    }

    static SystemInfo makeInfo(std::string id)
    {
        SystemInfo info;
        info.instance = std::move(id);
        info.agentVersion = "test";
        info.kernelRelease = "6.12";
        info.pidSpace = "clone3";
        return info;
    }

    ContainerStore store;
    Cgroups cgroups;
    std::unique_ptr<PidSpace> pidSpace;
    Reaper reaper;
    ImageStore images; // directories only: no disks on a test host
    ContainerManager containers;
    CheckpointManager checkpoints;
    SystemInfo info;
    Dispatcher dispatcher;
    ServerBudget budget; // outlives the session and its request threads' slot
    std::unique_ptr<Session> session;
    std::thread serving;
};

InProcessAgent::InProcessAgent()
{
    m_baseThreads = threadCount();
    m_dir = std::filesystem::temp_directory_path() /
            ("pv-inproc-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(m_dir);
    startInstance();
    m_relay = std::thread([this] { relay(); });
}

InProcessAgent::~InProcessAgent()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_relay.join();
    m_hostLink.reset();
    m_agentLink.reset(); // the Session reads EOF and returns
    for (auto& instance : m_instances)
        if (instance->serving.joinable())
            instance->serving.join();
    // A Session runs each request on a detached thread that holds the
    // Dispatcher by reference: wait for them (every guest-exec a test runs
    // has an agent-side time limit) before the instances go.
    int expected = m_baseThreads + static_cast<int>(m_instances.size()); // one reaper each
    for (int i = 0; i < 300 && threadCount() > expected; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    m_instances.clear();
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
}

void InProcessAgent::startInstance()
{
    // Called with m_mutex held, or before the relay runs.
    auto id = "instance-" + std::to_string(m_instances.size() + 1);
    auto dir = m_dir / id;
    std::filesystem::create_directories(dir);
    auto instance = std::make_unique<Instance>(dir, id);
    auto [agentSide, linkSide] = socketPair();
    auto slot = instance->budget.admit(agentSide.get());
    instance->session = std::make_unique<Session>(std::move(agentSide), instance->dispatcher, Session::Kind::Socket,
                                                  instance->budget, std::move(slot));
    instance->serving = std::thread([session = instance->session.get()] { session->run(); });
    if (m_agentLink)
        ::shutdown(m_agentLink.get(), SHUT_RDWR);
    m_agentLink = std::move(linkSide);
    m_instances.push_back(std::move(instance));
}

AgentClient::TransportFactory InProcessAgent::factory()
{
    return [this]() -> Result<std::unique_ptr<AgentTransport>> {
        auto [managerSide, linkSide] = socketPair();
        std::lock_guard lock(m_mutex);
        if (!m_towardManager.empty()) {
            PV_TRY_STATUS(protocol::writeAll(linkSide.get(), m_towardManager));
            m_towardManager.clear();
        }
        m_hostLink = std::move(linkSide);
        ++m_connections;
        return adoptSocketTransport(std::move(managerSide), "socketpair to the in-process agent");
    };
}

int InProcessAgent::connections() const
{
    std::lock_guard lock(m_mutex);
    return m_connections;
}

std::string InProcessAgent::instance() const
{
    std::lock_guard lock(m_mutex);
    return m_instances.back()->info.instance;
}

void InProcessAgent::injectTowardAgent(const std::string& bytes)
{
    std::lock_guard lock(m_mutex);
    (void)protocol::writeAll(m_agentLink.get(), bytes);
}

void InProcessAgent::injectTowardManager(const std::string& bytes)
{
    std::lock_guard lock(m_mutex);
    m_towardManager += bytes;
}

void InProcessAgent::dropHost()
{
    std::lock_guard lock(m_mutex);
    m_hostLink.reset();
}

void InProcessAgent::hold()
{
    std::lock_guard lock(m_mutex);
    m_holding = true;
}

void InProcessAgent::release()
{
    std::lock_guard lock(m_mutex);
    m_holding = false;
    if (!m_held.empty())
        (void)protocol::writeAll(m_agentLink.get(), std::exchange(m_held, {}));
}

void InProcessAgent::restart()
{
    std::lock_guard lock(m_mutex);
    m_held.clear(); // the old agent had them; they are gone with it
    startInstance();
}

void InProcessAgent::relay()
{
    char buf[65536];
    for (;;) {
        std::unique_lock lock(m_mutex);
        if (m_stopping)
            return;
        int host = m_hostLink ? m_hostLink.get() : -1;
        int agentFd = m_agentLink.get();
        lock.unlock();
        pollfd p[2] = {{agentFd, POLLIN, 0}, {host, POLLIN, 0}};
        if (::poll(p, host >= 0 ? 2 : 1, 20) <= 0)
            continue;
        lock.lock();
        // The links may have changed while polling: use them only if not.
        if (agentFd != m_agentLink.get() || host != (m_hostLink ? m_hostLink.get() : -1))
            continue;
        if (p[0].revents & (POLLIN | POLLHUP)) {
            ssize_t n = ::read(agentFd, buf, sizeof buf);
            if (n == 0) {
                lock.unlock(); // the instance ended; wait for the next
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
                continue;
            }
            if (n > 0 && host >= 0)
                (void)protocol::writeAll(host, std::string_view(buf, static_cast<std::size_t>(n)));
        }
        if (host >= 0 && (p[1].revents & (POLLIN | POLLHUP))) {
            ssize_t n = ::read(host, buf, sizeof buf);
            if (n <= 0) {
                m_hostLink.reset(); // the host went away; the agent stays
                continue;
            }
            std::string_view bytes(buf, static_cast<std::size_t>(n));
            if (m_holding)
                m_held.append(bytes);
            else
                (void)protocol::writeAll(agentFd, bytes);
        }
    }
}

} // namespace pidvisor::manager::test
