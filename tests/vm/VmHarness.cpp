#include "VmHarness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>

namespace pidvisor::test {

namespace fs = std::filesystem;
using nlohmann::json;

json CliRun::json() const
{
    auto j = nlohmann::json::parse(out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << out << "\nstderr: " << err;
    return j;
}

CliRun runProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env, int timeoutSeconds)
{
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) < 0 || ::pipe2(err, O_CLOEXEC) < 0)
        return {};
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        int devNull = ::open("/dev/null", O_RDONLY);
        ::dup2(devNull, 0);
        for (const auto& e : env)
            ::putenv(const_cast<char*>(e.c_str()));
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    CliRun r;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
    bool outOpen = true, errOpen = true;
    while (outOpen || errOpen) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            r.err += "\n[killed after " + std::to_string(timeoutSeconds) + " s]";
            break;
        }
        pollfd fds[2] = {{outOpen ? out[0] : -1, POLLIN, 0}, {errOpen ? err[0] : -1, POLLIN, 0}};
        ::poll(fds, 2, 200);
        char buf[8192];
        for (int i = 0; i < 2; ++i) {
            if (!fds[i].revents)
                continue;
            ssize_t n = ::read(i == 0 ? out[0] : err[0], buf, sizeof buf);
            if (n <= 0)
                (i == 0 ? outOpen : errOpen) = false;
            else
                (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(out[0]);
    ::close(err[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

std::string libvirtUnavailable()
{
    CliRun r = runProgram({"virsh", "-c", "qemu:///system", "uri"}, {}, 30);
    if (r.code != 0)
        return "libvirtd does not answer at qemu:///system (start it: packaging/libvirt-services.sh start): " + r.err;
    return {};
}

namespace {
std::atomic<int> g_counter{0};
}

VmHarness::VmHarness()
{
    m_dir = "/tmp/pvvmtest-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter++);
    fs::create_directories(m_dir);
    m_db = m_dir + "/inventory.db";
}

VmHarness::~VmHarness()
{
    bool failed = ::testing::Test::HasFailure();
    for (const auto& vm : m_vms) {
        if (failed) {
            CliRun log = pidvisor({"vm", "console", vm, "--log"});
            std::fprintf(stderr, "---- console log of %s ----\n%s\n", vm.c_str(), log.out.c_str());
        }
        (void)pidvisor({"vm", "rm", "--force", vm});
        // Whatever the CLI could not remove, libvirt can.
        (void)virsh({"destroy", vm});
        (void)virsh({"undefine", vm});
    }
    fs::remove_all(m_dir);
}

std::string VmHarness::name(const std::string& base)
{
    std::string n = "pvt-" + base + "-" + std::to_string(::getpid() % 100000) + "-" + std::to_string(g_counter++);
    m_vms.push_back(n);
    return n;
}

CliRun VmHarness::pidvisor(const std::vector<std::string>& args, const std::vector<std::string>& env) const
{
    std::vector<std::string> argv{std::string(PIDVISOR_BIN_DIR) + "/pidvisor", "--db", m_db};
    argv.insert(argv.end(), args.begin(), args.end());
    // Container images in the test's own directory, as its inventory.
    std::vector<std::string> all{"PIDVISOR_IMAGES_DIR=" + m_dir + "/images"};
    all.insert(all.end(), env.begin(), env.end());
    // VMs on the isolated test network (tests/CMakeLists.txt).
    std::string net = PIDVISOR_TEST_NETWORK_ENV;
    for (std::size_t at = 0; at < net.size();) {
        std::size_t bar = net.find('|', at);
        all.push_back(net.substr(at, bar == std::string::npos ? std::string::npos : bar - at));
        at = bar == std::string::npos ? net.size() : bar + 1;
    }
    return runProgram(argv, all);
}

json VmHarness::ok(std::vector<std::string> args) const
{
    args.insert(args.begin(), "--json");
    CliRun r = pidvisor(args);
    std::string line;
    for (const auto& a : args)
        line += a + " ";
    EXPECT_EQ(r.code, 0) << "pidvisor " << line << "\nstdout: " << r.out << "\nstderr: " << r.err;
    if (r.code != 0)
        return json();
    return r.json();
}

CliRun VmHarness::virsh(const std::vector<std::string>& args) const
{
    std::vector<std::string> argv{"virsh", "-q", "-c", "qemu:///system"};
    argv.insert(argv.end(), args.begin(), args.end());
    return runProgram(argv, {}, 60);
}

} // namespace pidvisor::test
