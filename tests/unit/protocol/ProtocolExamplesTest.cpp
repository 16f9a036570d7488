// One example of every command of the table (arguments and result): its
// JSON against a golden file in golden/, and back again to the same record.
// Regenerate with PIDVISOR_UPDATE_GOLDEN=1 and review the diff by hand: a
// changed golden file is a changed wire format.
#include "daemon/Limits.h"
#include "protocol/AgentCalls.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

using namespace pidvisor;
using namespace pidvisor::protocol;
using namespace pidvisor::protocol::command;
using nlohmann::json;

namespace {

std::set<std::string> g_checked;

json golden(const std::string& name, const json& actual)
{
    std::string path = std::string(PIDVISOR_PROTOCOL_GOLDEN_DIR) + "/" + name + ".json";
    if (std::getenv("PIDVISOR_UPDATE_GOLDEN"))
        std::ofstream(path) << actual.dump(2) << "\n";
    std::ifstream in(path);
    EXPECT_TRUE(in) << "missing golden file " << path << " (run with PIDVISOR_UPDATE_GOLDEN=1)";
    json expected = json::parse(in, nullptr, false);
    EXPECT_FALSE(expected.is_discarded()) << path << " is not JSON";
    return expected;
}

template <class A, class R>
void check(const Command<A, R>& command, const A& args, const R& result)
{
    SCOPED_TRACE(std::string(command.name));
    g_checked.insert(std::string(command.name));
    json wire{{"args", Codec<A>::encode(args)}, {"result", Codec<R>::encode(result)}};
    EXPECT_EQ(wire, golden(std::string(command.name), wire));
    auto argsBack = Codec<A>::decode(wire["args"], Unknown::Refuse, "argument", "");
    ASSERT_TRUE(argsBack) << argsBack.error().message;
    EXPECT_TRUE(*argsBack == args) << "arguments changed on the way back";
    auto resultBack = decodeResult<R>(command.name, wire["result"], {});
    ASSERT_TRUE(resultBack) << resultBack.error().message;
    R expected = result;
    if constexpr (requires(R& r) { r.payload; })
        expected.payload.clear(); // travels outside the JSON
    EXPECT_TRUE(*resultBack == expected) << "result changed on the way back";
}

ContainerSpec exampleSpec()
{
    ContainerSpec s;
    s.name = "web";
    s.argv = {"/bin/sh", "-c", "sleep 1000 & sleep 1000"};
    s.env = {"PATH=/usr/bin:/bin", "HOME=/root"};
    s.hostname = "web";
    s.memoryMiB = 64;
    s.init = true;
    s.network = ContainerNetwork{"10.83.0.130/24", "02:70:76:53:00:82", "10.83.0.1", {"10.83.0.1"}, "pidvisor"};
    s.userns = UserNamespace{100000, 65536};
    return s;
}

ContainerInfo exampleContainer()
{
    ContainerInfo c;
    c.name = "web";
    c.state = ContainerState::Running;
    c.initPid = 4242;
    c.pidnsInode = 4026532290ULL;
    c.pidSpace = "clone3";
    c.cgroup = "/sys/fs/cgroup/pidvisor/web";
    c.createdAt = 1764405286000;
    c.spec = exampleSpec();
    c.address = "10.83.0.130";
    c.mac = "02:70:76:53:00:82";
    c.processes = 2;
    c.confinement = Confinement{false, {"CAP_CHOWN", "CAP_KILL"}, "default", true, {"/proc/kcore"}, {"/proc/sys", "/sys"},
                                "default", UserNamespace{100000, 65536}};
    return c;
}

ContainerInfo stoppedContainer()
{
    ContainerInfo c = exampleContainer();
    c.state = ContainerState::Stopped;
    c.finishedAt = 1764405299000;
    c.exit = ExitStatus{137, 9};
    c.processes.reset();
    c.confinement->devices.reset(); // running containers only
    c.confinement->userns.reset();
    return c;
}

CommandResult exampleCommandResult()
{
    return {0, 0, "hello\n", "", false, false, false};
}

json exampleManifest()
{
    return {{"format", 1},
            {"id", "ck-1"},
            {"kind", "dump"},
            {"container", "web"},
            {"files", {{{"path", "images/core-1.img"}, {"size", 4}, {"sha256", std::string(64, 'a')}}}}};
}

void checkContainerCommands()
{
    check(kGuestExec, GuestExecArgs{{"uname", "-r"}, {"LANG=C"}, "/tmp", "", 5000}, exampleCommandResult());
    check(kContainerCreate, exampleSpec(), exampleContainer());
    check(kContainerList, NoArgs{}, ContainerListResult{{exampleContainer(), stoppedContainer()}});
    check(kContainerInfo, ContainerRef{"web"}, exampleContainer());
    check(kContainerPs, ContainerRef{"web"},
          ContainerPsResult{"web", {{1, 4242, 0, "sh", "S", "/bin/sh -c sleep 1000 & sleep 1000"},
                                    {2, 4243, 1, "sleep", "S", "sleep 1000"}}});
    ContainerExecArgs exec;
    exec.name = "web";
    exec.argv = {"cat"};
    exec.stdinText = "input";
    exec.timeoutMs = 1000;
    check(kContainerExec, exec, CommandResult{1, 0, "", "cat: x\n", false, false, false});
    check(kContainerLogs, ContainerLogsArgs{"web", 9}, ContainerLogsResult{"web", 9, "last line"});
    check(kContainerKill, ContainerKillArgs{"web", Signal{15}, true}, ContainerKillResult{"web", 15, 2});
    check(kContainerStop, ContainerStopArgs{"web", 2000}, stoppedContainer());
    check(kContainerRm, ContainerRmArgs{"web", true}, ContainerRmResult{"web", true});
    check(kContainerStart, ContainerRef{"web"}, exampleContainer());
}

void checkImageCommands()
{
    ImageInfo redis;
    redis.name = "redis";
    redis.digest = "sha256:" + std::string(64, 'c');
    redis.source = "debian:13 redis-server";
    redis.size = 41943040;
    redis.config.cmd = {"redis-server", "--protected-mode", "no"};
    redis.config.env = {"PATH=/usr/bin:/bin"};
    redis.config.user = "redis";
    redis.config.uid = 100;
    redis.config.gid = 101;
    check(kImageList, NoArgs{}, ImageListResult{{redis}});
    check(kNetworkProbe, NetworkProbeArgs{"10.83.0.130", std::string("10.83.0.1")},
          NetworkProbeResult{"10.83.0.130", true, std::string("52:54:00:ab:cd:ef"), 31});
}

void checkCheckpointCommands()
{
    ContainerCheckpointArgs cp;
    cp.name = "web";
    cp.id = "ck-1";
    cp.kind = "pre-dump";
    cp.round = 2;
    cp.parent = "pre-1";
    cp.after = "run";
    cp.tag = "nightly";
    check(kContainerCheckpoint, cp, exampleManifest());
    ContainerRestoreResult restored;
    static_cast<ContainerInfo&>(restored) = exampleContainer();
    restored.restoredFrom = "ck-1";
    restored.pidCheck = "same virtual pids and parents as the checkpoint";
    restored.durationsMs = RestoreDurations{12, 30, 400};
    restored.verified = "every file hashed";
    check(kContainerRestore, ContainerRestoreArgs{"ck-1", "web2", false}, restored);
    check(kContainerResume, ContainerRef{"web"}, ContainerResumeResult{"web", true});
    check(kCheckpointList, NoArgs{},
          CheckpointListResult{{{"ck-1", true, "web", 1764405286000, 4096, std::string(64, 'b')},
                                {"ck-2", false, {}, {}, {}, {}}}});
    check(kCheckpointRead, CheckpointReadArgs{"ck-1", {"images/core-1.img"}},
          CheckpointReadResult{"ck-1", 1, 4, exampleManifest()});
    check(kCheckpointWrite, CheckpointWriteArgs{"ck-1", exampleManifest(), {"images/core-1.img"}, false},
          CheckpointWriteResult{"ck-1", 1, 4, false});
    check(kCheckpointCommit, CheckpointRef{"ck-1"},
          CheckpointCommitResult{"ck-1", "web", CheckpointState::Checkpointed});
    check(kCheckpointDelete, CheckpointRef{"ck-1"}, CheckpointDeleteResult{"ck-1", true});
}

} // namespace

TEST(ProtocolExamples, EveryCommandMatchesItsGoldenJsonAndRoundTrips)
{
    HelloResult hello;
    hello.protocol = kProtocolVersion;
    hello.instance = "231-2893562719";
    hello.agentVersion = "0.1.0";
    hello.kernelRelease = "6.12.0-pidvisor";
    hello.hostname = "vm1";
    hello.commands = commandNames();
    hello.capabilities = Capabilities{true, "proc-container", CgroupSupport{"v2", true, {"memory", "pids"}},
                                      CriuSupport{"4.1.1"}, CheckpointSupport{true, "criu check: looks good"}};
    hello.limits = agent::agentLimits();
    check(kHello, HelloArgs{"pidvisor-manager", kProtocolVersion}, hello);
    check(kSync, SyncArgs{"17"}, SyncResult{"17", "231-2893562719"});
    checkContainerCommands();
    checkCheckpointCommands();
    checkImageCommands();
    std::set<std::string> all;
    for (const auto& name : commandNames())
        all.insert(name);
    EXPECT_EQ(g_checked, all) << "every command of the table needs an example here";
}
