// The agent's view of a container spec: its defaults, and its record in the
// state directory. The spec's JSON and refusals are ProtocolRecordsTest's.
#include "daemon/ContainerSpec.h"
#include "daemon/ContainerStore.h"

#include <gtest/gtest.h>

using namespace pidvisor;
using namespace pidvisor::agent;
using nlohmann::json;

namespace {
ContainerSpec specOf(const json& j)
{
    auto spec = protocol::decode<ContainerSpec>(j, protocol::Unknown::Refuse);
    EXPECT_TRUE(spec) << spec.error().message;
    return spec.value_or(ContainerSpec{});
}
} // namespace

TEST(ContainerSpec, DefaultsAndRoundTrip)
{
    auto spec = withDefaults(specOf({{"name", "web"}, {"argv", {"sleep", "10"}}}));
    EXPECT_EQ(spec.hostname, "web");
    EXPECT_EQ(spec.cwd, "/");
    EXPECT_FALSE(spec.init);
    EXPECT_EQ(envValue(spec.env, "PATH"), kDefaultPath);
    EXPECT_EQ(envValue(spec.env, "container"), "pidvisor");
    auto again = protocol::decode<ContainerSpec>(protocol::encode(spec), protocol::Unknown::Refuse);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(*again, spec);
    EXPECT_EQ(withDefaults(*again), spec) << "defaults are applied once";
}

TEST(ContainerSpec, UserEnvWinsOverDefaults)
{
    auto spec = withDefaults(specOf({{"name", "w"}, {"argv", {"x"}}, {"env", {"PATH=/opt", "A=b=c"}}}));
    EXPECT_EQ(envValue(spec.env, "PATH"), "/opt");
    EXPECT_EQ(envValue(spec.env, "A"), "b=c");
}

TEST(ContainerRecord, RoundTrip)
{
    ContainerRecord r;
    r.spec = withDefaults(specOf({{"name", "db"}, {"argv", {"sleep", "1"}}, {"memory_mib", 64}}));
    r.state = protocol::ContainerState::Running;
    r.initPid = 1234;
    r.initStartTime = 99;
    r.pidnsInode = 4026531836ULL;
    r.pidSpace = "clone3";
    r.createdAt = 1700000000000;
    auto back = ContainerRecord::fromJson(r.toJson());
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->toJson(), r.toJson());
    EXPECT_FALSE(ContainerRecord::fromJson(json{{"spec", protocol::encode(r.spec)}}));
}

TEST(ContainerRecord, ReadsARecordOfTheEarlierAgent)
{
    // As protocol 2 agents wrote them: every spec field, nulls for no limit.
    json old{{"spec",
              {{"name", "old"}, {"argv", {"/bin/sleep", "1000"}}, {"env", {"PATH=/bin"}}, {"cwd", "/"},
               {"hostname", "old"}, {"init", false}, {"memory_mib", nullptr}, {"pids_max", nullptr}}},
             {"state", "stopped"}, {"init_pid", 42}, {"init_start_time", 7}, {"pidns_inode", 4026531836ULL}};
    auto r = ContainerRecord::fromJson(old);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->spec.name, "old");
    EXPECT_EQ(r->spec.hostname, "old");
    EXPECT_FALSE(r->spec.memoryMiB);
    EXPECT_EQ(r->state, protocol::ContainerState::Stopped);
}

TEST(ContainerRecord, StoresTheStateAsItsWord)
{
    ContainerRecord r;
    r.spec = withDefaults(specOf({{"name", "db"}, {"argv", {"sleep", "1"}}}));
    EXPECT_EQ(r.toJson()["state"], "creating");
    r.state = protocol::ContainerState::Running;
    EXPECT_EQ(r.toJson()["state"], "running");
    r.state = protocol::ContainerState::Stopped;
    EXPECT_EQ(r.toJson()["state"], "stopped");

    json unknown = r.toJson();
    unknown["state"] = "paused";
    auto refused = ContainerRecord::fromJson(unknown);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "field 'state' must be creating, running or stopped");
}
