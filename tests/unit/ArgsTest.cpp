#include "protocol/Args.h"

#include <gtest/gtest.h>

using namespace pidvisor;
using namespace pidvisor::protocol;
using nlohmann::json;

TEST(Args, UnknownArgumentIsRefused)
{
    json j{{"name", "x"}, {"bogus", 1}};
    auto s = Args(j).onlyKnown({"name"});
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message, "unknown argument 'bogus'");
}

TEST(Args, WrongTypesAreNamed)
{
    json j{{"name", 5}, {"argv", "ls"}, {"n", "7"}, {"b", 1}};
    Args a(j);
    EXPECT_EQ(a.requiredString("name").error().message, "argument 'name' must be a string");
    EXPECT_EQ(a.stringList("argv", {}).error().message, "argument 'argv' must be an array of strings");
    EXPECT_EQ(a.optionalInteger("n", 0, 10).error().message, "argument 'n' must be an integer");
    EXPECT_EQ(a.optionalBool("b", false).error().message, "argument 'b' must be true or false");
}

TEST(Args, ListLimitsAreEnforced)
{
    json big{{"argv", json(std::vector<std::string>(100000, "a"))}};
    auto r = Args(big).stringList("argv", ListLimits{4096, 1 << 20, false});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(r.error().message.find("100000 elements"), std::string::npos);

    json mixed{{"argv", {"a", 1}}};
    EXPECT_FALSE(Args(mixed).stringList("argv", {}));
    json nul{{"argv", {std::string("a\0b", 3)}}};
    EXPECT_EQ(Args(nul).stringList("argv", {}).error().message, "argument 'argv' contains a NUL byte");
    json empty{{"argv", json::array()}};
    EXPECT_FALSE(Args(empty).stringList("argv", ListLimits{10, 100, false}));
}

TEST(Args, IntegerRange)
{
    json j{{"n", 11}, {"big", 18446744073709551615ULL}, {"neg", -1}};
    Args a(j);
    EXPECT_FALSE(a.optionalInteger("n", 0, 10));
    EXPECT_FALSE(a.optionalInteger("big", 0, 10));
    EXPECT_FALSE(a.optionalInteger("neg", 0, 10));
    auto absent = a.optionalInteger("missing", 0, 10);
    ASSERT_TRUE(absent);
    EXPECT_FALSE(absent->has_value());
}

TEST(Args, NullMeansAbsent)
{
    json j{{"s", nullptr}};
    auto s = Args(j).optionalString("s");
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->has_value());
}
