// Container create latency: from the request being sent until the agent
// answers that the container's pid 1 runs its command, against a raw
// clone3 (same namespaces) + exec of the same command, in the same run.
// A second baseline adds, with plain syscalls, the private root every
// container gets (overlay of /, pivot_root, its own /proc and /dev), so the
// report separates the agent's own cost from the cost of that root.
// Confinement's cost: the same create as a --privileged container, and an
// exec of /bin/true into each kind, interleaved, as ratios confined/privileged.
// A user namespace's cost: the same as a --userns container (confined too),
// as ratios userns/confined.
//
//   bench_container_create [iterations]     (root)
#include "BenchStats.h"

#include "protocol/FrameChannel.h"
#include "protocol/Message.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

using namespace pidvisor;
using namespace pidvisor::bench;
namespace fs = std::filesystem;

namespace {

const char* kCommand = "/bin/sleep";

struct Timed {
    double ms;
    int status; // after SIGKILL
};

// clone3 with new pid, mount, uts and ipc namespaces; `child` runs in the
// new process and ends in exec. Timed until exec succeeded, learnt from a
// CLOEXEC pipe closing.
Timed timedClone(const std::function<void()>& child)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0)
        std::abort();
    auto start = Clock::now();
    clone_args args{};
    args.flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
    args.exit_signal = SIGCHLD;
    pid_t pid = static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
    if (pid == 0) {
        ::close(fds[0]);
        child();
        ::_exit(127);
    }
    ::close(fds[1]);
    char c;
    while (::read(fds[0], &c, 1) > 0) {
    }
    double ms = millisSince(start);
    ::close(fds[0]);
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return Timed{ms, status};
}

[[noreturn]] void execCommand()
{
    char* argv[] = {const_cast<char*>(kCommand), const_cast<char*>("1000"), nullptr};
    ::execv(kCommand, argv);
    ::_exit(127);
}

// The baseline: the same namespaces and exec, nothing else.
double rawCloneExec()
{
    return timedClone(execCommand).ms;
}

// The second baseline's child: the root a container gets, then exec.
[[noreturn]] void rootedChild(const char* rootfs, const char* overlayOptions)
{
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0 ||
        ::mount("overlay", rootfs, "overlay", 0, overlayOptions) < 0 || ::chdir(rootfs) < 0 ||
        ::syscall(SYS_pivot_root, ".", ".") < 0 || ::umount2(".", MNT_DETACH) < 0 || ::chdir("/") < 0 ||
        ::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) < 0 ||
        ::mount("tmpfs", "/dev", "tmpfs", MS_NOSUID, "mode=755") < 0 ||
        ::mknod("/dev/null", S_IFCHR | 0666, makedev(1, 3)) < 0 || ::mkdir("/dev/pts", 0755) < 0 ||
        ::mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance") < 0 ||
        ::mkdir("/dev/shm", 01777) < 0 || ::mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
        ::_exit(126);
    (void)::setsid();
    execCommand();
}

double rawCloneRootExec(const fs::path& dir, int round)
{
    fs::path base = dir / ("raw" + std::to_string(round));
    for (const char* sub : {"upper", "work", "rootfs"})
        fs::create_directories(base / sub);
    std::string options = "lowerdir=/,upperdir=" + (base / "upper").string() + ",workdir=" + (base / "work").string();
    std::string rootfs = (base / "rootfs").string();
    Timed t = timedClone([&] { rootedChild(rootfs.c_str(), options.c_str()); });
    if (WIFEXITED(t.status) && WEXITSTATUS(t.status) >= 126) {
        std::printf("the rooted baseline failed to set up its root (exit %d)\n", WEXITSTATUS(t.status));
        std::exit(1);
    }
    fs::remove_all(base);
    return t.ms;
}

struct Agent {
    pid_t pid = -1;
    fs::path dir;
    std::string socket;
};

Agent startAgent()
{
    Agent a;
    a.dir = fs::path("/tmp") / ("pvbench-" + std::to_string(::getpid()));
    fs::remove_all(a.dir);
    fs::create_directories(a.dir);
    a.socket = (a.dir / "agent.sock").string();
    std::string state = (a.dir / "state").string();
    a.pid = ::fork();
    if (a.pid == 0) {
        int log = ::open((a.dir / "agent.log").c_str(), O_WRONLY | O_CREAT, 0644);
        ::dup2(log, 2);
        std::string bin = std::string(PIDVISOR_BIN_DIR) + "/pidvisor-agent";
        ::execl(bin.c_str(), bin.c_str(), "serve", "--socket", a.socket.c_str(), "--state-dir", state.c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    for (int i = 0; i < 500 && !protocol::connectUnixSocket(a.socket); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return a;
}

Result<nlohmann::json> call(protocol::FrameChannel& ch, std::uint64_t id, std::string_view cmd, nlohmann::json args)
{
    PV_TRY_STATUS(ch.send(protocol::makeRequest(id, cmd, std::move(args))));
    for (;;) {
        PV_TRY(protocol::Frame f, ch.receive(std::chrono::seconds(30)));
        PV_TRY(protocol::Response r, protocol::parseResponse(std::move(f)));
        if (r.id == id)
            return r.result;
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (::geteuid() != 0) {
        std::printf("bench_container_create: SKIPPED: needs root (namespaces and mounts)\n");
        return 0;
    }
    int iterations = argc > 1 ? std::atoi(argv[1]) : 40;
    Agent agent = startAgent();
    auto fd = protocol::connectUnixSocket(agent.socket);
    if (!fd) {
        std::printf("cannot reach the agent: %s\n", fd.error().message.c_str());
        return 1;
    }
    protocol::FrameChannel ch(std::move(*fd));
    std::uint64_t id = 1;

    std::vector<double> create, raw, rooted, createPrivileged, execConfined, execPrivileged, createUserns, execUserns;
    for (int i = 0; i < 3; ++i) { // warm-up
        (void)rawCloneExec();
        (void)rawCloneRootExec(agent.dir, i);
        (void)call(ch, id++, "container-create", {{"name", "warm"}, {"argv", {kCommand, "1000"}}});
        (void)call(ch, id++, "container-rm", {{"name", "warm"}, {"force", true}});
    }
    for (int i = 0; i < iterations; ++i) {
        // Interleaved, so drift in machine speed hits both alike.
        raw.push_back(rawCloneExec());
        rooted.push_back(rawCloneRootExec(agent.dir, i));
        // The three kinds, each timed from request to running.
        struct Kind {
            std::string name;
            nlohmann::json extra;
            std::vector<double>* created;
            std::vector<double>* execs;
        };
        std::string name = "bench" + std::to_string(i);
        const Kind kinds[] = {{name, nlohmann::json::object(), &create, &execConfined},
                              {name + "p", {{"privileged", true}}, &createPrivileged, &execPrivileged},
                              {name + "u", {{"userns", nlohmann::json::object()}}, &createUserns, &execUserns}};
        for (const Kind& k : kinds) {
            nlohmann::json args{{"name", k.name}, {"argv", {kCommand, "1000"}}};
            args.update(k.extra);
            auto start = Clock::now();
            auto r = call(ch, id++, "container-create", args);
            double ms = millisSince(start);
            if (!r) {
                std::printf("create %s failed: %s\n", args.dump().c_str(), r.error().describe().c_str());
                return 1;
            }
            k.created->push_back(ms);
        }
        for (const Kind& k : kinds) {
            auto start = Clock::now();
            auto e = call(ch, id++, "container-exec", {{"name", k.name}, {"argv", {"/bin/true"}}});
            if (!e) {
                std::printf("exec failed: %s\n", e.error().describe().c_str());
                return 1;
            }
            k.execs->push_back(millisSince(start));
        }
        for (const Kind& k : kinds)
            (void)call(ch, id++, "container-rm", {{"name", k.name}, {"force", true}});
    }
    ::kill(agent.pid, SIGTERM);
    ::waitpid(agent.pid, nullptr, 0);
    fs::remove_all(agent.dir);

    Summary c = summarize(create), b = summarize(raw), r = summarize(rooted);
    std::printf("container create latency (%d runs, command %s):\n", iterations, kCommand);
    printRow("pidvisor container-create (request->running)", c);
    printRow("raw clone3(NEWPID|NEWNS|NEWUTS|NEWIPC)+exec", b);
    printRow("raw clone3 + overlay root, /proc, /dev + exec", r);
    std::printf("  ratio pidvisor/raw (medians): %.2f   (target <= 1.5; create target < 5 ms)\n",
                c.median / b.median);
    std::printf("  ratio pidvisor/raw with the same root (medians): %.2f   (the agent's own cost)\n",
                c.median / r.median);
    Summary cp = summarize(createPrivileged), ec = summarize(execConfined), ep = summarize(execPrivileged);
    printRow("container-create --privileged", cp);
    printRow("container-exec /bin/true, confined", ec);
    printRow("container-exec /bin/true, privileged", ep);
    std::printf("  ratio confined/privileged (medians): create %.2f, exec %.2f   (target <= 1.10)\n",
                c.median / cp.median, ec.median / ep.median);
    Summary cu = summarize(createUserns), eu = summarize(execUserns);
    printRow("container-create --userns", cu);
    printRow("container-exec /bin/true, --userns", eu);
    std::printf("  ratio userns/confined (medians): create %.2f, exec %.2f\n", cu.median / c.median,
                eu.median / ec.median);
    return 0;
}
