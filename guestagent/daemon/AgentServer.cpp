#include "AgentServer.h"

#include "ContainerManager.h"
#include "CpuTuning.h"
#include "Dispatcher.h"
#include "Limits.h"
#include "Log.h"
#include "ServerBudget.h"
#include "Session.h"

#include "protocol/FrameChannel.h"
#include "protocol/Message.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

namespace pidvisor::agent {

namespace fs = std::filesystem;

namespace {

// Whether an agent serves `path`. One connect is not proof: a child the
// dead agent cloned just before kill -9 holds a copy of its listening
// socket until it closes the agent's descriptors (or, on a loaded machine,
// until it is first scheduled), and connects succeed meanwhile. A live
// agent stays connectable; such a copy goes within moments.
bool socketStaysLive(const std::string& path)
{
    constexpr auto kSettle = std::chrono::seconds(2);
    auto deadline = std::chrono::steady_clock::now() + kSettle;
    while (protocol::connectUnixSocket(path)) {
        if (std::chrono::steady_clock::now() >= deadline)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

Result<UniqueFd> listenUnix(const std::string& path)
{
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path)
        return fail(ErrorCode::InvalidArgument, "socket path '" + path + "' is too long");
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    // A socket left by an agent that died is replaced; a live one is not.
    if (socketStaysLive(path))
        return fail(ErrorCode::AlreadyExists, "another agent is serving " + path);
    ::unlink(path.c_str());
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd)
        return failErrno("creating a socket", errno);
    mode_t old = ::umask(0077);
    int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::umask(old);
    if (rc < 0)
        return failErrno("binding " + path, errno);
    ::chmod(path.c_str(), 0600);
    if (::listen(fd.get(), 64) < 0)
        return failErrno("listening on " + path, errno);
    return fd;
}

// Root in the agent's own pid namespace: a process inside a container is
// root too, but in another pid namespace, and is refused.
Status checkPeer(int fd)
{
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
        return failErrno("reading the peer's credentials", errno);
    if (cred.uid != 0)
        return fail(ErrorCode::PermissionDenied, "only root may use the agent socket");
    struct stat mine {}, theirs {};
    std::string peerNs = "/proc/" + std::to_string(cred.pid) + "/ns/pid";
    if (::stat("/proc/self/ns/pid", &mine) < 0 || ::stat(peerNs.c_str(), &theirs) < 0 ||
        mine.st_ino != theirs.st_ino)
        return fail(ErrorCode::PermissionDenied, "connections from inside a container are refused");
    return {};
}

void refuse(int fd, const Error& error)
{
    auto bytes = protocol::encodeFrame(protocol::makeErrorResponse(protocol::kConnectionId, error));
    // Never block on a client that does not read: one small frame fits an
    // empty socket buffer, and if it does not the client loses it.
    if (bytes)
        (void)::send(fd, bytes->data(), bytes->size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

void acceptLoop(int listenFd, const Dispatcher& dispatcher, ServerBudget& budget)
{
    for (;;) {
        UniqueFd client(::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC));
        if (!client) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) {
                if (errno == EMFILE || errno == ENFILE)
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
                continue;
            }
            return;
        }
        if (auto peer = checkPeer(client.get()); !peer) {
            refuse(client.get(), peer.error());
            continue;
        }
        auto slot = budget.admit(client.get());
        if (!slot) {
            refuse(client.get(), Error{ErrorCode::ResourceExhausted,
                                       "the agent serves " + std::to_string(kMaxConnections) +
                                           " clients, all busy; try again"});
            continue;
        }
        std::thread([fd = client.release(), &dispatcher, &budget, slot = std::move(slot)]() mutable {
            Session session(UniqueFd(fd), dispatcher, Session::Kind::Socket, budget, std::move(slot));
            session.run();
        }).detach();
    }
}

struct Port {
    UniqueFd fd;
    Session::Kind kind;
};

Result<Port> openPort(const std::string& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0)
        return failErrno("port " + path, errno);
    if (S_ISSOCK(st.st_mode)) {
        PV_TRY(UniqueFd sock, protocol::connectUnixSocket(path));
        return Port{std::move(sock), Session::Kind::HostSocket};
    }
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!fd)
        return failErrno("opening port " + path, errno);
    if (::isatty(fd.get())) {
        termios t{};
        if (::tcgetattr(fd.get(), &t) == 0) {
            ::cfmakeraw(&t);
            ::tcsetattr(fd.get(), TCSANOW, &t);
        }
    }
    return Port{std::move(fd), Session::Kind::HostDevice};
}

// The host side may come and go (and a virtio port may not exist yet at
// boot): keep reopening and serving.
void portLoop(const std::string& path, const Dispatcher& dispatcher, ServerBudget& budget)
{
    std::string lastError;
    for (;;) {
        auto port = openPort(path);
        if (!port) {
            if (port.error().message != lastError)
                logError(port.error().message);
            lastError = port.error().message;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            continue;
        }
        lastError.clear();
        logInfo("serving the host on " + path);
        Session session(std::move(port->fd), dispatcher, port->kind, budget, nullptr);
        session.run();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

std::string defaultInitBinary()
{
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return (self.parent_path() / "pidvisor-init").string();
}

Status checkStateDir(const std::string& dir)
{
    if (dir.empty() || dir.front() != '/')
        return fail(ErrorCode::InvalidArgument, "state directory '" + dir + "' is not an absolute path");
    // These would break the overlayfs option string.
    if (dir.find_first_of(",:\\") != std::string::npos)
        return fail(ErrorCode::InvalidArgument, "state directory '" + dir + "' contains ',', ':' or '\\'");
    return {};
}

} // namespace

int serve(const ServeOptions& options)
{
    ::umask(022);
    ::signal(SIGPIPE, SIG_IGN);
    // Frame buffers are megabytes: a fixed threshold keeps them in mmap'd
    // memory that goes back to the system when freed (glibc would raise
    // the threshold after the first free and keep them in the heap).
    ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGHUP);
    ::pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    if (auto ok = checkStateDir(options.stateDir); !ok) {
        logError(ok.error().message);
        return 2;
    }
    std::string stateDir = fs::weakly_canonical(options.stateDir).string();
    ContainerStore store(stateDir);
    if (auto opened = store.open(); !opened) {
        logError(opened.error().message);
        return 1;
    }
    auto pidSpace = choosePidSpace(options.pidSpace);
    if (!pidSpace) {
        logError(pidSpace.error().message);
        return 2;
    }
    Cgroups cgroups = Cgroups::detect();
    Reaper reaper;
    AgentPaths paths{options.initBinary.empty() ? defaultInitBinary() : options.initBinary, {stateDir}};
    if (auto ok = checkStateDir(options.imagesDir); !ok) {
        logError("images: " + ok.error().message);
        return 2;
    }
    std::error_code ec;
    fs::create_directories(options.imagesDir, ec);
    ImageStore images(options.imagesDir, options.imageDisks ? "/dev" : "", options.imageDisks ? "/sys/class/block" : "");
    ContainerManager containers(store, cgroups, **pidSpace, reaper, images, paths);
    for (const auto& problem : containers.recover())
        logError("state: " + problem);

    SystemInfo info;
    info.instance = std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}());
    info.agentVersion = options.version;
    info.kernelRelease = kernelRelease();
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    info.hostname = host;
    info.pidSpace = std::string((*pidSpace)->name());
    info.procContainer = procContainerAvailable();
    info.criuVersion = detectCriuVersion();
    info.cgroups = cgroups.describe();
    info.limits = agentLimits();
    probeCheckpointSupport(info);
    CheckpointManager checkpoints(containers, stateDir,
                                  AgentVersions{options.version, info.kernelRelease, info.criuVersion.value_or("")});
    Dispatcher dispatcher(containers, checkpoints, info);

    auto listener = listenUnix(options.socketPath);
    if (!listener) {
        logError(listener.error().message);
        return 1;
    }
    // Lives until _exit, like the threads that use it.
    static ServerBudget budget;
    std::thread(acceptLoop, listener->get(), std::cref(dispatcher), std::ref(budget)).detach();
    if (!options.portPath.empty())
        std::thread(portLoop, options.portPath, std::cref(dispatcher), std::ref(budget)).detach();
    logInfo("READY socket=" + options.socketPath + " state=" + stateDir + " pid-space=" + info.pidSpace +
            " cgroups=" + cgroups.mode() + " containers=" + std::to_string(containers.list().size()) +
            " hypervisor=" + (*hypervisorVendor() ? hypervisorVendor() : "none"));

    int sig = 0;
    while (::sigwait(&stopSignals, &sig) != 0) {
    }
    logInfo(std::string("stopping on signal ") + ::strsignal(sig) + "; containers keep running");
    ::unlink(options.socketPath.c_str());
    std::fflush(stderr);
    // Worker threads may still be running: leave without destructors.
    ::_exit(0);
}

} // namespace pidvisor::agent
