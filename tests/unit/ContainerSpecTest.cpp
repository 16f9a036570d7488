#include "daemon/ContainerSpec.h"
#include "daemon/ContainerStore.h"
#include "daemon/Dispatcher.h"

#include <gtest/gtest.h>

using namespace pidvisor;
using namespace pidvisor::agent;
using nlohmann::json;

TEST(ContainerSpec, DefaultsAndRoundTrip)
{
    auto spec = ContainerSpec::fromJson({{"name", "web"}, {"argv", {"sleep", "10"}}});
    ASSERT_TRUE(spec) << spec.error().message;
    EXPECT_EQ(spec->hostname, "web");
    EXPECT_EQ(spec->cwd, "/");
    EXPECT_FALSE(spec->init);
    EXPECT_EQ(envValue(spec->env, "PATH"), kDefaultPath);
    EXPECT_EQ(envValue(spec->env, "container"), "pidvisor");
    auto again = ContainerSpec::fromJson(spec->toJson());
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->toJson(), spec->toJson());
}

TEST(ContainerSpec, UserEnvWinsOverDefaults)
{
    auto spec = ContainerSpec::fromJson({{"name", "w"}, {"argv", {"x"}}, {"env", {"PATH=/opt", "A=b=c"}}});
    ASSERT_TRUE(spec);
    EXPECT_EQ(envValue(spec->env, "PATH"), "/opt");
    EXPECT_EQ(envValue(spec->env, "A"), "b=c");
}

TEST(ContainerSpec, RefusesBadFields)
{
    auto err = [](json j) { return ContainerSpec::fromJson(j).error(); };
    EXPECT_EQ(err({{"argv", {"x"}}}).message, "argument 'name' is missing");
    EXPECT_EQ(err({{"name", "../x"}, {"argv", {"x"}}}).code, ErrorCode::InvalidArgument);
    EXPECT_EQ(err({{"name", "w"}}).message, "argument 'argv' is missing");
    EXPECT_EQ(err({{"name", "w"}, {"argv", {""}}}).message, "the command (argv[0]) is empty");
    EXPECT_EQ(err({{"name", "w"}, {"argv", {"x"}}, {"cwd", "rel"}}).message,
              "working directory 'rel' is not an absolute path");
    EXPECT_EQ(err({{"name", "w"}, {"argv", {"x"}}, {"env", {"NOEQUALS"}}}).message,
              "environment entry 'NOEQUALS' is not KEY=VALUE");
    EXPECT_EQ(err({{"name", "w"}, {"argv", {"x"}}, {"memory_mib", 0}}).code, ErrorCode::InvalidArgument);
    EXPECT_EQ(err({{"name", "w"}, {"argv", {"x"}}, {"pids_max", -5}}).code, ErrorCode::InvalidArgument);
    EXPECT_EQ(err({{"name", "w"}, {"argv", {"x"}}, {"init", "yes"}}).code, ErrorCode::InvalidArgument);
    EXPECT_EQ(err({{"name", "w"}, {"argv", {"x"}}, {"hostname", "a/b"}}).code, ErrorCode::InvalidArgument);
    EXPECT_EQ(err({{"name", "w"}, {"argv", {"x"}}, {"extra", 1}}).message, "unknown argument 'extra'");
}

TEST(ContainerRecord, RoundTrip)
{
    ContainerRecord r;
    r.spec = *ContainerSpec::fromJson({{"name", "db"}, {"argv", {"sleep", "1"}}, {"memory_mib", 64}});
    r.state = "running";
    r.initPid = 1234;
    r.initStartTime = 99;
    r.pidnsInode = 4026531836ULL;
    r.pidSpace = "clone3";
    r.createdAt = 1700000000000;
    auto back = ContainerRecord::fromJson(r.toJson());
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->toJson(), r.toJson());
    EXPECT_FALSE(ContainerRecord::fromJson(json{{"spec", r.spec.toJson()}}));
}

TEST(Signals, ByNameAndNumber)
{
    EXPECT_EQ(*parseSignal("TERM"), 15);
    EXPECT_EQ(*parseSignal("SIGKILL"), 9);
    EXPECT_EQ(*parseSignal(10), 10);
    EXPECT_FALSE(parseSignal("NOPE"));
    EXPECT_FALSE(parseSignal(0));
    EXPECT_FALSE(parseSignal(65));
    EXPECT_FALSE(parseSignal(json::array()));
}
