// DeviceFilter: the compiled program's shape, the kernel's verifier
// accepting it, and the real enforcement on a cgroup v2 hierarchy of this
// machine (a child process in a scratch cgroup may open /dev/null and
// /dev/zero, not /dev/kmsg; nothing is read or written through either).
#include "daemon/DeviceFilter.h"

#include "protocol/UniqueFd.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

using namespace pidvisor;
using namespace pidvisor::agent;

namespace {

TEST(DeviceFilter, EveryRuleEndsInAnAllowAndTheRestIsDenied)
{
    auto p = compileDeviceRules(defaultDeviceRules());
    ASSERT_GE(p.size(), 2u);
    EXPECT_EQ(p[p.size() - 2].code, BPF_ALU | BPF_MOV | BPF_K);
    EXPECT_EQ(p[p.size() - 2].imm, 0) << "what no rule allows is denied";
    EXPECT_EQ(p.back().code, BPF_JMP | BPF_EXIT);
    std::size_t allows = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i].code == (BPF_ALU | BPF_MOV | BPF_K) && p[i].imm == 1)
            ++allows;
        if (BPF_CLASS(p[i].code) == BPF_JMP && BPF_OP(p[i].code) == BPF_JNE) {
            std::size_t target = i + 1 + static_cast<std::size_t>(p[i].off);
            ASSERT_LT(target, p.size()) << "a jump leaves the program at " << i;
            // A failed check lands on the next rule's first check or the final deny.
            EXPECT_NE(int(p[target].code), BPF_JMP | BPF_EXIT) << i;
        }
    }
    EXPECT_EQ(allows, defaultDeviceRules().size());
}

std::string unifiedRoot()
{
    for (const char* root : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
        struct statfs st {};
        if (::statfs(root, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
            return root;
    }
    return "";
}

// Opens `path` read-only in a child placed in `cgroupDir`: its errno (0: opened).
int openInCgroup(const std::string& cgroupDir, const char* path)
{
    int pipeFds[2];
    if (::pipe(pipeFds) < 0)
        return -1;
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(pipeFds[0]);
        int result = 0;
        {
            std::ofstream procs(cgroupDir + "/cgroup.procs");
            procs << 0 << std::flush;
            if (!procs)
                result = -2;
        }
        if (result == 0) {
            int fd = ::open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
            result = fd < 0 ? errno : 0;
            if (fd >= 0)
                ::close(fd);
        }
        (void)!::write(pipeFds[1], &result, sizeof result);
        ::_exit(0);
    }
    ::close(pipeFds[1]);
    int result = -1;
    (void)!::read(pipeFds[0], &result, sizeof result);
    ::close(pipeFds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return result;
}

TEST(DeviceFilter, TheKernelEnforcesTheDefaultRulesOnACgroup)
{
    if (::geteuid() != 0)
        GTEST_SKIP() << "loading and attaching eBPF programs needs root";
    std::string root = unifiedRoot();
    if (root.empty())
        GTEST_SKIP() << "no cgroup v2 hierarchy mounted here (/sys/fs/cgroup or /sys/fs/cgroup/unified)";
    std::string dir = root + "/pidvisor-devtest-" + std::to_string(::getpid());
    ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0) << "creating " << dir << ": " << std::strerror(errno);
    UniqueFd cg(::open(dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(cg);
    auto attached = attachDeviceFilter(cg.get(), defaultDeviceRules());
    if (!attached) {
        ::rmdir(dir.c_str());
        FAIL() << attached.error().describe();
    }
    EXPECT_EQ(openInCgroup(dir, "/dev/null"), 0);
    EXPECT_EQ(openInCgroup(dir, "/dev/zero"), 0);
    EXPECT_EQ(openInCgroup(dir, "/dev/kmsg"), EPERM) << "c 1:11 is outside the default rules";
    EXPECT_EQ(openInCgroup(root, "/dev/kmsg"), 0) << "outside the cgroup nothing changed";
    ::rmdir(dir.c_str());
}

} // namespace
