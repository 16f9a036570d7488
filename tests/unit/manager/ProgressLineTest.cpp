#include "images/GuestImage.h"

#include <gtest/gtest.h>

using namespace pidvisor::manager;

TEST(ProgressLine, ParsesTheScriptsFormat)
{
    auto p = parseProgressLine("progress 42 download packages");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->percent, 42);
    EXPECT_EQ(p->stage, "download packages");
    EXPECT_EQ(parseProgressLine("progress 140 x")->percent, 100);
    EXPECT_FALSE(parseProgressLine("progressive 1 x"));
    EXPECT_FALSE(parseProgressLine("progress x y"));
    EXPECT_FALSE(parseProgressLine("a human message"));
}
