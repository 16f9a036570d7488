// VmHarness: runs the real `pidvisor` CLI against the real libvirtd and
// QEMU (TCG here), with a private inventory and uniquely named VMs that are
// removed when the test ends, pass or fail. Console logs are printed for
// failed tests.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace pidvisor::test {

struct CliRun {
    int code = -1;
    std::string out, err;
    [[nodiscard]] nlohmann::json json() const;
};

// Skips the test visibly unless libvirtd answers at qemu:///system and a
// guest image can be built.
#define PV_REQUIRE_LIBVIRT()                                                                          \
    do {                                                                                              \
        if (::geteuid() != 0)                                                                         \
            GTEST_SKIP() << "needs root for qemu:///system";                                          \
        if (std::string why = ::pidvisor::test::libvirtUnavailable(); !why.empty())                   \
            GTEST_SKIP() << why;                                                                      \
    } while (0)

// Empty when libvirt is usable; otherwise why not.
std::string libvirtUnavailable();

class VmHarness {
public:
    VmHarness();
    ~VmHarness();

    // A VM name unique to this test run.
    std::string name(const std::string& base);
    // Runs build/bin/pidvisor with the harness's inventory.
    CliRun pidvisor(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) const;
    // Same, failing the test unless it exits 0; returns --json output parsed.
    nlohmann::json ok(std::vector<std::string> args) const;
    CliRun virsh(const std::vector<std::string>& args) const;
    [[nodiscard]] const std::string& db() const { return m_db; }
    [[nodiscard]] const std::string& dir() const { return m_dir; }

private:
    std::string m_dir, m_db;
    std::vector<std::string> m_vms;
};

CliRun runProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                  int timeoutSeconds = 600);

} // namespace pidvisor::test
