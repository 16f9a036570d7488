// The pidvisor CLI refuses bad arguments with a clear message and a usage
// exit code, before it touches libvirt or the inventory.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace {

struct Run {
    int code = -1;
    std::string output;
};

Run pidvisor(const std::string& args)
{
    std::string db = "/tmp/pv-cli-args-" + std::to_string(::getpid()) + ".db";
    std::string cmd = std::string(PIDVISOR_BIN_DIR) + "/pidvisor --db " + db + " -c test:///default " + args + " 2>&1";
    Run r;
    FILE* p = ::popen(cmd.c_str(), "r");
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p))
        r.output.append(buf, n);
    int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::filesystem::remove(db);
    return r;
}

} // namespace

TEST(CliArguments, UnknownCommandAndMissingArguments)
{
    auto r = pidvisor("frobnicate");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.output.find("frobnicate"), std::string::npos) << r.output;

    r = pidvisor("vm create");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.output.find("name is required"), std::string::npos) << r.output;

    r = pidvisor("container create demo web");
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.output.find("a command is needed after -- (or an --image with a default one)"), std::string::npos)
        << r.output;
}

TEST(CliArguments, BadValuesAreNamed)
{
    auto r = pidvisor("vm create x --accel warp");
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.output.find("warp"), std::string::npos) << r.output;

    r = pidvisor("vm create x --memory lots");
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.output.find("lots"), std::string::npos) << r.output;
}

TEST(CliArguments, InvalidNameIsRefusedBeforeAnythingHappens)
{
    auto r = pidvisor("vm create ../etc");
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find("invalid_argument: VM name '../etc' is invalid"), std::string::npos) << r.output;
    r = pidvisor("vm create ok --memory 16");
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find("memory of 16 MiB is out of range"), std::string::npos) << r.output;
}

TEST(CliArguments, UnknownVmIsNotFound)
{
    auto r = pidvisor("vm show nosuchvm");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.output.find("not_found: no VM named 'nosuchvm'"), std::string::npos) << r.output;
    r = pidvisor("container list nosuchvm");
    EXPECT_NE(r.output.find("not_found"), std::string::npos) << r.output;
}

TEST(CliArguments, UnreachableLibvirtNamesTheUri)
{
    std::string db = "/tmp/pv-cli-uri-" + std::to_string(::getpid()) + ".db";
    std::string cmd = std::string(PIDVISOR_BIN_DIR) + "/pidvisor --db " + db +
                      " -c qemu+unix:///system?socket=/nonexistent/sock vm list 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p))
        out.append(buf, n);
    EXPECT_NE(::pclose(p), 0);
    EXPECT_NE(out.find("unavailable: libvirt at qemu+unix:///system?socket=/nonexistent/sock is unreachable"),
              std::string::npos)
        << out;
    std::filesystem::remove(db);
}
