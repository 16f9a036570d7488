// pidvisor-testload: workloads for checkpoint tests and benchmarks, shipped
// in guest images (static, no libraries) so containers can run them.
//
//   pidvisor-testload counter FILE [INTERVAL_MS]    count up, write the count to FILE
//   pidvisor-testload pipe-writer [INTERVAL_MS]     write 1, 2, 3... one per line to stdout
//   pidvisor-testload pipe-reader FILE              read those lines; FILE gets "LAST ok" or "LAST gap"
//   pidvisor-testload memory MIB DIR [DIRTY_MIB_S]  hold MIB MiB of known content; DIR/expected has its
//                                                   checksum; SIGUSR1 writes the live checksum to DIR/actual;
//                                                   optionally rewrite DIRTY_MIB_S MiB per second (same bytes)
//   pidvisor-testload bench-syscalls [SCALE]        time getpid, fork+exit+wait and a signal round trip;
//                                                   prints JSON (ns per getpid, us per fork, us per round trip)
//   pidvisor-testload attempt WHAT                  try an escape from a container, print ok or the errno
//   pidvisor-testload steal-fds STOP OUT [ptrace]   race pidfd_getfd (and ptrace) against new processes
//   pidvisor-testload time SCRIPT                   run /bin/sh -c SCRIPT, then print the nanoseconds it
//                                                   took as the last line of stderr (busybox date has no %N)
//   pidvisor-testload serve PORT                    TCP server, one process for every client: each line
//                                                   gets "HOSTNAME LINE" back; after a line "discard" the
//                                                   connection's bytes are counted, their number sent at
//                                                   its end of input (for throughput)
//   pidvisor-testload ask ADDR PORT LINE            send LINE to a serve there, print the answer
#include "Escape.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>
#include <vector>

namespace {

volatile sig_atomic_t g_checksumWanted = 0;

void writeFile(const std::string& path, const std::string& text)
{
    std::string tmp = path + ".tmp";
    if (FILE* f = std::fopen(tmp.c_str(), "w")) {
        std::fputs(text.c_str(), f);
        std::fclose(f);
        std::rename(tmp.c_str(), path.c_str());
    }
}

void sleepMs(long ms)
{
    timespec ts{ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0) {
    }
}

int counter(const std::string& file, long interval)
{
    for (unsigned long n = 1;; ++n) {
        writeFile(file, std::to_string(n) + "\n");
        sleepMs(interval);
    }
}

int pipeWriter(long interval)
{
    for (unsigned long n = 1;; ++n) {
        std::printf("%lu\n", n);
        std::fflush(stdout);
        sleepMs(interval);
    }
}

int pipeReader(const std::string& file)
{
    unsigned long last = 0, n = 0;
    bool gap = false;
    char line[64];
    while (std::fgets(line, sizeof line, stdin)) {
        n = std::strtoul(line, nullptr, 10);
        if (last != 0 && n != last + 1)
            gap = true;
        last = n;
        writeFile(file, std::to_string(last) + (gap ? " gap\n" : " ok\n"));
    }
    return 0;
}

std::uint64_t fill(std::vector<std::uint64_t>& buf, std::size_t from, std::size_t to)
{
    for (std::size_t i = from; i < to; ++i) {
        std::uint64_t x = i * 0x9E3779B97F4A7C15ULL + 12345;
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9ULL;
        buf[i] = x ^ (x >> 29);
    }
    return 0;
}

std::uint64_t checksum(const std::vector<std::uint64_t>& buf)
{
    std::uint64_t h = 1469598103934665603ULL;
    for (std::uint64_t v : buf)
        h = (h ^ v) * 1099511628211ULL;
    return h;
}

int memory(std::size_t mib, const std::string& dir, std::size_t dirtyMibPerSecond)
{
    std::vector<std::uint64_t> buf(mib * 1024 * 1024 / 8);
    fill(buf, 0, buf.size());
    writeFile(dir + "/expected", std::to_string(checksum(buf)) + "\n");
    signal(SIGUSR1, [](int) { g_checksumWanted = 1; });
    std::size_t cursor = 0, perTick = dirtyMibPerSecond * 1024 * 1024 / 8 / 10;
    for (;;) {
        if (g_checksumWanted) {
            g_checksumWanted = 0;
            writeFile(dir + "/actual", std::to_string(checksum(buf)) + "\n");
        }
        if (perTick) {
            // Rewrite the same bytes: the pages get dirty, the content stays known.
            std::size_t end = std::min(buf.size(), cursor + perTick);
            fill(buf, cursor, end);
            cursor = end == buf.size() ? 0 : end;
        }
        sleepMs(100);
    }
}

double secondsSince(std::chrono::steady_clock::time_point t)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

int benchSyscalls(long scale)
{
    long getpids = 200000 * scale, forks = 300 * scale, trips = 1000 * scale;
    auto t = std::chrono::steady_clock::now();
    for (long i = 0; i < getpids; ++i)
        syscall(SYS_getpid);
    double getpidNs = secondsSince(t) * 1e9 / static_cast<double>(getpids);

    t = std::chrono::steady_clock::now();
    for (long i = 0; i < forks; ++i) {
        pid_t p = fork();
        if (p == 0)
            _exit(0);
        waitpid(p, nullptr, 0);
    }
    double forkUs = secondsSince(t) * 1e6 / static_cast<double>(forks);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        int sig;
        for (;;) {
            sigwait(&set, &sig);
            kill(parent, SIGUSR2);
        }
    }
    t = std::chrono::steady_clock::now();
    for (long i = 0; i < trips; ++i) {
        int sig;
        kill(child, SIGUSR1);
        sigwait(&set, &sig);
    }
    double tripUs = secondsSince(t) * 1e6 / static_cast<double>(trips);
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    std::printf("{\"getpid_ns\": %.1f, \"fork_exit_wait_us\": %.1f, \"signal_round_trip_us\": %.2f}\n", getpidNs,
                forkUs, tripUs);
    return 0;
}

int timeScript(const char* script)
{
    auto start = std::chrono::steady_clock::now();
    pid_t child = fork();
    if (child == 0) {
        execl("/bin/sh", "sh", "-c", script, static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) < 0) {
        std::perror("pidvisor-testload time");
        return 1;
    }
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
    std::fflush(stdout);
    std::fprintf(stderr, "%lld\n", static_cast<long long>(ns));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct Client {
    int fd;
    std::string pending;
    bool discard = false;
    unsigned long long discarded = 0;
};

bool sendAll(int fd, const std::string& text)
{
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

int serve(int port)
{
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || ::listen(listener, 64) < 0) {
        std::perror("pidvisor-testload serve");
        return 1;
    }
    std::vector<Client> clients;
    std::vector<char> buf(1 << 16);
    while (true) {
        std::vector<pollfd> fds{{listener, POLLIN, 0}};
        for (const auto& c : clients)
            fds.push_back({c.fd, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if (fds[0].revents & POLLIN) {
            int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd >= 0 && clients.size() < 256)
                clients.push_back({fd, {}});
            else if (fd >= 0)
                ::close(fd);
        }
        for (std::size_t i = 1; i < fds.size(); ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            Client& c = clients[i - 1];
            ssize_t n = ::read(c.fd, buf.data(), buf.size());
            bool open = n > 0;
            if (open && c.discard) {
                c.discarded += static_cast<unsigned long long>(n);
            } else if (open) {
                c.pending.append(buf.data(), static_cast<std::size_t>(n));
                std::size_t nl;
                while (open && !c.discard && (nl = c.pending.find('\n')) != std::string::npos) {
                    std::string line = c.pending.substr(0, nl);
                    c.pending.erase(0, nl + 1);
                    if (line == "discard") {
                        c.discard = true;
                        c.discarded = c.pending.size();
                        c.pending.clear();
                    } else {
                        open = sendAll(c.fd, std::string(host) + " " + line + "\n");
                    }
                }
            }
            if (!open) {
                if (c.discard && n == 0)
                    (void)sendAll(c.fd, std::to_string(c.discarded) + "\n");
                ::close(c.fd);
                c.fd = -1;
            }
        }
        std::vector<Client> alive;
        for (auto& c : clients)
            if (c.fd >= 0)
                alive.push_back(std::move(c));
        clients.swap(alive);
    }
}

int ask(const char* addr, int port, const std::string& line)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::inet_pton(AF_INET, addr, &sa.sin_addr) != 1 || ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 ||
        !sendAll(fd, line + "\n")) {
        std::perror("pidvisor-testload ask");
        return 1;
    }
    std::string got;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n')
        got += c;
    std::printf("%s\n", got.c_str());
    return got.empty() ? 1 : 0;
}

} // namespace

int main(int argc, char** argv)
{
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "counter" && argc >= 3)
        return counter(argv[2], argc > 3 ? std::atol(argv[3]) : 100);
    if (mode == "pipe-writer")
        return pipeWriter(argc > 2 ? std::atol(argv[2]) : 100);
    if (mode == "pipe-reader" && argc >= 3)
        return pipeReader(argv[2]);
    if (mode == "memory" && argc >= 4)
        return memory(std::strtoul(argv[2], nullptr, 10), argv[3], argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 0);
    if (mode == "bench-syscalls")
        return benchSyscalls(argc > 2 ? std::atol(argv[2]) : 1);
    if (mode == "time" && argc >= 3)
        return timeScript(argv[2]);
    if (mode == "attempt" && argc >= 3)
        return pidvisor::testload::attempt(argv[2]);
    if (mode == "ask" && argc >= 5)
        return ask(argv[2], std::atoi(argv[3]), argv[4]);
    if (mode == "serve" && argc >= 3)
        return serve(std::atoi(argv[2]));
    if (mode == "steal-fds" && argc >= 4)
        return pidvisor::testload::stealFds(argv[2], argv[3], argc > 4 && std::string(argv[4]) == "ptrace");
    std::fprintf(stderr, "usage: pidvisor-testload counter FILE [MS] | pipe-writer [MS] | pipe-reader FILE | "
                         "memory MIB DIR [DIRTY_MIB_PER_S] | bench-syscalls [SCALE] | time SCRIPT | attempt WHAT | "
                         "steal-fds STOP OUT [ptrace] | serve PORT | ask ADDR PORT LINE\n");
    return 2;
}
