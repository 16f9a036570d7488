#include "protocol/Names.h"

#include <gtest/gtest.h>

using namespace pidvisor;
using namespace pidvisor::protocol;

TEST(Names, AcceptsTheAllowedAlphabet)
{
    for (const char* ok : {"web", "a", "A-b_c.d", "0", "-dash-first", "x.y"})
        EXPECT_TRUE(validateName("container name", ok)) << ok;
    EXPECT_TRUE(validateName("container name", std::string(63, 'a')));
}

TEST(Names, RefusesEachRule)
{
    auto code = [](std::string_view n) { return validateName("container name", n).error().code; };
    EXPECT_EQ(code(""), ErrorCode::InvalidArgument);
    EXPECT_EQ(code(std::string(64, 'a')), ErrorCode::InvalidArgument);
    EXPECT_EQ(code(std::string(300, 'a')), ErrorCode::InvalidArgument);
    EXPECT_EQ(code(".hidden"), ErrorCode::InvalidArgument);
    EXPECT_EQ(code("../x"), ErrorCode::InvalidArgument);
    EXPECT_EQ(code("a/b"), ErrorCode::InvalidArgument);
    EXPECT_EQ(code(std::string("a\0b", 3)), ErrorCode::InvalidArgument);
    EXPECT_EQ(code("sp ace"), ErrorCode::InvalidArgument);
    EXPECT_EQ(code("\xc3\xa9"), ErrorCode::InvalidArgument);
}

TEST(Names, MessagesNameTheThingAndTheReason)
{
    EXPECT_EQ(validateName("container name", ".x").error().message,
              "container name '.x' is invalid: it starts with '.'");
    EXPECT_EQ(validateName("container name", "").error().message, "container name is empty");
}

TEST(Names, QuoteEscapesControlBytesAndCutsLongText)
{
    EXPECT_EQ(quoteForMessage(std::string("a\0b\n", 4)), "'a\\x00b\\x0a'");
    std::string quoted = quoteForMessage(std::string(300, 'z'));
    EXPECT_EQ(quoted.size(), 64u + 5u);
    EXPECT_EQ(quoted.substr(quoted.size() - 4), "...'");
}
