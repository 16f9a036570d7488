// The protocol's records (protocol/Types.h) through their one conversion
// (protocol/Schema.h): what each refuses, with its specific code and
// message, and that what is encoded decodes to the same record.
#include "protocol/Commands.h"

#include <gtest/gtest.h>

using namespace pidvisor;
using namespace pidvisor::protocol;
using nlohmann::json;

namespace {

template <class T>
Error refusal(const json& j)
{
    auto r = decode<T>(j, Unknown::Refuse);
    EXPECT_FALSE(r) << "accepted " << j.dump();
    return r ? Error{} : r.error();
}

template <class T>
void expectRefused(const json& j, const std::string& message)
{
    Error e = refusal<T>(j);
    EXPECT_EQ(e.code, ErrorCode::InvalidArgument) << j.dump();
    EXPECT_EQ(e.message, message) << j.dump();
}

const json kSpec{{"name", "w"}, {"argv", {"x"}}};

json specWith(const std::string& key, json value)
{
    json j = kSpec;
    j[key] = std::move(value);
    return j;
}

} // namespace

TEST(ProtocolRecords, ContainerSpecRefusals)
{
    expectRefused<ContainerSpec>({{"argv", {"x"}}}, "argument 'name' is missing");
    expectRefused<ContainerSpec>({{"name", "../x"}, {"argv", {"x"}}},
                                 "container name '../x' is invalid: it starts with '.'");
    expectRefused<ContainerSpec>({{"name", "w"}}, "argument 'argv' is missing");
    expectRefused<ContainerSpec>(specWith("argv", json::array()), "argument 'argv' must not be empty");
    expectRefused<ContainerSpec>(specWith("argv", {""}), "the command (argv[0]) is empty");
    expectRefused<ContainerSpec>(specWith("argv", "sleep"), "argument 'argv' must be an array");
    expectRefused<ContainerSpec>(specWith("argv", {"a", 3}), "argument 'argv[1]' must be a string");
    expectRefused<ContainerSpec>(specWith("argv", {std::string("a\0b", 3)}), "argument 'argv' contains a NUL byte");
    expectRefused<ContainerSpec>(specWith("argv", std::vector<std::string>(kMaxArgs + 1, "a")),
                                 "argument 'argv' has 4097 elements, more than the limit of 4096");
    expectRefused<ContainerSpec>(specWith("argv", std::vector<std::string>(2, std::string(kMaxArgBytes, 'a'))),
                                 "argument 'argv' exceeds 262144 bytes");
    expectRefused<ContainerSpec>(specWith("cwd", "rel"), "working directory 'rel' is not an absolute path");
    expectRefused<ContainerSpec>(specWith("env", {"NOEQUALS"}), "environment entry 'NOEQUALS' is not KEY=VALUE");
    expectRefused<ContainerSpec>(specWith("env", std::vector<std::string>(kMaxEnv + 1, "A=b")),
                                 "argument 'env' has 1025 elements, more than the limit of 1024");
    expectRefused<ContainerSpec>(specWith("memory_mib", 0), "argument 'memory_mib' must be between 4 and 16777216");
    expectRefused<ContainerSpec>(specWith("memory_mib", "64"), "argument 'memory_mib' must be an integer");
    expectRefused<ContainerSpec>(specWith("pids_max", -5), "argument 'pids_max' must be between 1 and 4194304");
    expectRefused<ContainerSpec>(specWith("init", "yes"), "argument 'init' must be true or false");
    expectRefused<ContainerSpec>(specWith("name", "a b"), "container name 'a b' is invalid: only A-Z a-z 0-9 _ . - are allowed");
    expectRefused<ContainerSpec>(specWith("hostname", "a/b"),
                                 "hostname 'a/b' is invalid: only A-Z a-z 0-9 _ . - are allowed");
    expectRefused<ContainerSpec>(specWith("extra", 1), "unknown argument 'extra'");
    expectRefused<ContainerSpec>(json::array(), "request args must be an object");
}

TEST(ProtocolRecords, CommandArgumentRefusals)
{
    expectRefused<HelloArgs>({{"client", "x"}}, "argument 'protocol' is missing");
    expectRefused<HelloArgs>({{"protocol", 3}, {"evil", 1}}, "unknown argument 'evil'");
    expectRefused<SyncArgs>({{"nonce", std::string(129, 'n')}}, "argument 'nonce' exceeds 128 bytes");
    expectRefused<GuestExecArgs>({{"argv", {"x"}}, {"stdin", std::string(kMaxStdin + 1, 'i')}},
                                 "argument 'stdin' exceeds 65536 bytes");
    expectRefused<GuestExecArgs>({{"argv", {"x"}}, {"timeout_ms", 0}},
                                 "argument 'timeout_ms' must be between 1 and 86400000");
    expectRefused<ContainerExecArgs>({{"argv", {"x"}}}, "argument 'name' is missing");
    expectRefused<ContainerLogsArgs>({{"name", "w"}, {"tail_bytes", -1}},
                                     "argument 'tail_bytes' must be between 0 and 4194304");
    expectRefused<ContainerKillArgs>({{"name", "w"}, {"signal", "BOGUS"}}, "signal 'BOGUS' is not known");
    expectRefused<ContainerKillArgs>({{"name", "w"}, {"signal", 999}}, "signal 999 is out of range");
    expectRefused<ContainerKillArgs>({{"name", "w"}, {"signal", 0}}, "signal 0 is out of range");
    expectRefused<ContainerKillArgs>({{"name", "w"}, {"signal", true}},
                                     "argument 'signal' must be a number or a name");
    expectRefused<ContainerStopArgs>({{"name", "w"}, {"timeout_ms", 86400001}},
                                     "argument 'timeout_ms' must be between 0 and 86400000");
    expectRefused<ContainerRmArgs>({{"name", "../../etc"}},
                                   "container name '../../etc' is invalid: it starts with '.'");
    expectRefused<ContainerCheckpointArgs>({{"name", "w"}, {"kind", "full"}}, "argument 'kind' must be dump or pre-dump");
    expectRefused<ContainerCheckpointArgs>({{"name", "w"}, {"kind", "pre-dump"}},
                                           "a pre-dump needs the checkpoint id of its migration");
    expectRefused<ContainerCheckpointArgs>({{"name", "w"}, {"after", "explode"}},
                                           "argument 'after' must be kill, run or stop");
    expectRefused<ContainerCheckpointArgs>({{"name", "w"}, {"parent", "images"}},
                                           "argument 'parent' must name a pre-dump round (pre-N)");
    expectRefused<ContainerCheckpointArgs>({{"name", "w"}, {"round", 101}},
                                           "argument 'round' must be between 1 and 100");
    expectRefused<ContainerCheckpointArgs>({{"name", "w"}, {"tag", std::string(129, 't')}},
                                           "argument 'tag' exceeds 128 bytes");
    expectRefused<ContainerRestoreArgs>({{"name", "w"}}, "argument 'id' is missing");
    expectRefused<CheckpointRef>({{"id", ""}}, "checkpoint id is empty");
    expectRefused<CheckpointReadArgs>({{"id", "c1"}, {"paths", {"/etc/passwd"}}},
                                      "checkpoint file path '/etc/passwd' is empty, too long or absolute");
    expectRefused<CheckpointWriteArgs>({{"id", "c1"}, {"manifest", json::array()}},
                                       "argument 'manifest' must be an object");
    expectRefused<NoArgs>({{"all", true}}, "unknown argument 'all'");
}

TEST(ProtocolRecords, IntegersOutsideTheirTypeAreRefused)
{
    expectRefused<Process>({{"vpid", 1}, {"pid", 4294967296LL}}, "argument 'pid' must be at most 2147483647");
    expectRefused<CheckpointSummary>({{"id", "c"}, {"size", -1}}, "argument 'size' must be at least 0");
    expectRefused<Process>({{"vpid", 1.5}, {"pid", 2}}, "argument 'vpid' must be an integer");
}

TEST(ProtocolRecords, NestedFieldsAreNamedByTheirPath)
{
    json info{{"name", "w"}, {"state", "running"}, {"spec", {{"name", "w"}, {"argv", {"x"}}, {"cwd", 7}}}};
    auto r = decode<ContainerInfo>(info, Unknown::Ignore, "result field");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "result field 'spec.cwd' must be a string");
}

TEST(ProtocolRecords, ResultsIgnoreFieldsANewerAgentAdds)
{
    json result{{"nonce", "n"}, {"instance", "i"}, {"added_later", 1}};
    auto r = decode<SyncResult>(result, Unknown::Ignore, "result field");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->nonce, "n");
    EXPECT_FALSE(decode<SyncResult>(result, Unknown::Refuse));
}

TEST(ProtocolRecords, DefaultsOfOptionalFields)
{
    auto spec = decode<ContainerSpec>(kSpec, Unknown::Refuse);
    ASSERT_TRUE(spec);
    EXPECT_EQ(spec->cwd, "/");
    EXPECT_FALSE(spec->hostname);
    EXPECT_FALSE(spec->memoryMiB);
    auto kill = decode<ContainerKillArgs>({{"name", "w"}}, Unknown::Refuse);
    ASSERT_TRUE(kill);
    EXPECT_EQ(kill->signal.number, 9);
    auto byName = decode<ContainerKillArgs>({{"name", "w"}, {"signal", "SIGTERM"}}, Unknown::Refuse);
    ASSERT_TRUE(byName);
    EXPECT_EQ(byName->signal.number, 15);
    auto stop = decode<ContainerStopArgs>({{"name", "w"}, {"timeout_ms", nullptr}}, Unknown::Refuse);
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->timeoutMs, 10000) << "null is the same as absent";
}

TEST(ProtocolRecords, SignalsFromText)
{
    EXPECT_EQ(*signalFromText("TERM"), 15);
    EXPECT_EQ(*signalFromText("SIGKILL"), 9);
    EXPECT_EQ(*signalFromText("10"), 10);
    EXPECT_EQ(signalFromText("NOPE").error().message, "signal 'NOPE' is not known");
    EXPECT_EQ(signalFromText("0").error().message, "signal 0 is out of range");
    EXPECT_EQ(signalFromText("65").error().message, "signal 65 is out of range");
}

TEST(ProtocolRecords, VersionMismatchNamesBothVersions)
{
    EXPECT_TRUE(checkProtocolVersion(kProtocolVersion));
    auto old = checkProtocolVersion(2);
    ASSERT_FALSE(old);
    EXPECT_EQ(old.error().code, ErrorCode::Unsupported);
    EXPECT_EQ(old.error().message, "protocol version 2, need 7");
}

TEST(ProtocolRecords, ContainerStatesTravelAsTheirWords)
{
    for (ContainerState s : {ContainerState::Creating, ContainerState::Running, ContainerState::Stopped}) {
        json wire = Codec<ContainerState>::encode(s);
        ASSERT_TRUE(wire.is_string());
        EXPECT_EQ(wire.get<std::string>(), enumWord(s));
        auto back = Codec<ContainerState>::decode(wire, Unknown::Ignore, "result field", "state");
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, s) << wire.dump();
    }
    EXPECT_EQ(enumWord(ContainerState::Creating), "creating");
    EXPECT_EQ(enumWord(ContainerState::Running), "running");
    EXPECT_EQ(enumWord(ContainerState::Stopped), "stopped");
    EXPECT_EQ(enumWord(CheckpointState::Checkpointed), "checkpointed");

    json info{{"name", "w"}, {"state", "stopped"}, {"spec", kSpec}};
    auto decoded = decode<ContainerInfo>(info, Unknown::Ignore, "result field");
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->state, ContainerState::Stopped);
    EXPECT_EQ(encode(*decoded)["state"], "stopped");
}

TEST(ProtocolRecords, UnknownStateWordsAreRefused)
{
    json info{{"name", "w"}, {"state", "paused"}, {"spec", kSpec}};
    expectRefused<ContainerInfo>(info, "argument 'state' must be creating, running or stopped");
    info["state"] = "Running";
    expectRefused<ContainerInfo>(info, "argument 'state' must be creating, running or stopped");
    info["state"] = 1;
    expectRefused<ContainerInfo>(info, "argument 'state' must be creating, running or stopped");
    auto result = decode<ContainerInfo>(json{{"name", "w"}, {"state", ""}, {"spec", kSpec}}, Unknown::Ignore,
                                        "result field");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(result.error().message, "result field 'state' must be creating, running or stopped");
    expectRefused<CheckpointCommitResult>({{"id", "ck-1"}, {"state", "committed"}},
                                          "argument 'state' must be checkpointed");
}
