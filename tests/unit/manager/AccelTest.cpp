#include "vm/Accel.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace pidvisor;
using namespace pidvisor::manager;

TEST(Accel, AutoNeedsBothDeviceAndCpuFlags)
{
    EXPECT_EQ(chooseAccel("auto", {true, true})->accel, "kvm");
    EXPECT_EQ(chooseAccel("auto", {true, true})->domainType, "kvm");
    // /dev/kvm without vmx/svm (PVM, as on our CI machines) hangs guests.
    auto pvm = chooseAccel("auto", {true, false});
    EXPECT_EQ(pvm->accel, "tcg");
    EXPECT_EQ(pvm->domainType, "qemu");
    EXPECT_NE(pvm->reason.find("no vmx/svm"), std::string::npos);
    EXPECT_EQ(chooseAccel("auto", {false, true})->accel, "tcg");
}

TEST(Accel, ForcedChoicesWin)
{
    EXPECT_EQ(chooseAccel("kvm", {false, false})->accel, "kvm");
    EXPECT_EQ(chooseAccel("tcg", {true, true})->accel, "tcg");
    auto bad = chooseAccel("hvf", {});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
}

TEST(Accel, ProbeReadsCpuFlags)
{
    auto dir = std::filesystem::temp_directory_path() / ("pv-accel-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "with") << "processor : 0\nflags : fpu vme vmx sse\n";
    std::ofstream(dir / "without") << "processor : 0\nflags : fpu vme sse\n";
    EXPECT_TRUE(probeAccel((dir / "with").string(), "/nonexistent").cpuHasVirtualization);
    EXPECT_FALSE(probeAccel((dir / "without").string(), "/nonexistent").cpuHasVirtualization);
    EXPECT_FALSE(probeAccel((dir / "with").string(), "/nonexistent").kvmDeviceUsable);
    std::filesystem::remove_all(dir);
}
