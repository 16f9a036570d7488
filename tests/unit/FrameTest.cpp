// Framing: split, merged, truncated, oversized and garbled input.
#include "protocol/Frame.h"
#include "protocol/Message.h"

#include <gtest/gtest.h>

using namespace pidvisor;
using namespace pidvisor::protocol;

namespace {

std::string encoded(const Frame& f)
{
    auto bytes = encodeFrame(f);
    EXPECT_TRUE(bytes.has_value());
    return *bytes;
}

std::string prefix(std::uint32_t headerLen, std::uint32_t payloadLen)
{
    std::string p(kFrameMagic);
    for (auto v : {headerLen, payloadLen})
        for (int shift : {24, 16, 8, 0})
            p.push_back(static_cast<char>((v >> shift) & 0xff));
    return p;
}

Frame sample(std::uint64_t id, std::string payload = {})
{
    return makeRequest(id, "hello", {{"client", "test"}}, std::move(payload));
}

} // namespace

TEST(Frame, RoundTripWithPayload)
{
    std::string payload("\0\1\2binary\xff", 10);
    FrameReader reader;
    reader.feed(encoded(sample(7, payload)));
    auto event = reader.next();
    ASSERT_TRUE(event);
    ASSERT_TRUE(*event);
    EXPECT_EQ((*event)->header["id"], 7);
    EXPECT_EQ((*event)->header["cmd"], "hello");
    EXPECT_EQ((*event)->payload, payload);
    EXPECT_FALSE(reader.next());
}

TEST(Frame, SplitIntoSingleBytes)
{
    std::string bytes = encoded(sample(1, "abc"));
    FrameReader reader;
    for (std::size_t i = 0; i + 1 < bytes.size(); ++i) {
        reader.feed(bytes.substr(i, 1));
        EXPECT_FALSE(reader.next()) << "frame complete after " << i + 1 << " bytes";
    }
    reader.feed(bytes.substr(bytes.size() - 1));
    auto event = reader.next();
    ASSERT_TRUE(event && *event);
    EXPECT_EQ((*event)->payload, "abc");
}

TEST(Frame, MergedFramesComeOutInOrder)
{
    FrameReader reader;
    reader.feed(encoded(sample(1)) + encoded(sample(2, "x")) + encoded(sample(3)));
    for (int id = 1; id <= 3; ++id) {
        auto event = reader.next();
        ASSERT_TRUE(event && *event);
        EXPECT_EQ((*event)->header["id"], id);
    }
    EXPECT_FALSE(reader.next());
}

TEST(Frame, TruncatedFrameWaitsAndReportsMidFrame)
{
    std::string bytes = encoded(sample(1, "payload"));
    FrameReader reader;
    reader.feed(bytes.substr(0, bytes.size() - 3));
    EXPECT_FALSE(reader.next());
    EXPECT_TRUE(reader.midFrame());
    reader.reset();
    EXPECT_FALSE(reader.midFrame());
    reader.feed(encoded(sample(2)));
    auto event = reader.next();
    ASSERT_TRUE(event && *event);
    EXPECT_EQ((*event)->header["id"], 2);
}

TEST(Frame, OversizedHeaderIsRefusedThenResynchronised)
{
    FrameReader reader;
    reader.feed(prefix(0xffffffffU, 0) + encoded(sample(5)));
    auto event = reader.next();
    ASSERT_TRUE(event);
    ASSERT_FALSE(*event);
    EXPECT_EQ(event->error().code, ErrorCode::ProtocolError);
    EXPECT_NE(event->error().message.find("exceeds the limit"), std::string::npos);
    auto next = reader.next();
    ASSERT_TRUE(next && *next);
    EXPECT_EQ((*next)->header["id"], 5);
}

TEST(Frame, OversizedPayloadIsRefused)
{
    FrameReader reader;
    reader.feed(prefix(2, kMaxPayloadSize + 1) + "{}");
    auto event = reader.next();
    ASSERT_TRUE(event);
    ASSERT_FALSE(*event);
    EXPECT_NE(event->error().message.find("payload"), std::string::npos);
}

TEST(Frame, EncodeRefusesOversizedPayload)
{
    Frame f = sample(1, std::string(kMaxPayloadSize + 1, 'x'));
    auto bytes = encodeFrame(f);
    ASSERT_FALSE(bytes);
    EXPECT_EQ(bytes.error().code, ErrorCode::ResourceExhausted);
}

TEST(Frame, GarbageGivesOneErrorThenTheNextFrame)
{
    FrameReader reader;
    reader.feed(std::string(1000, 'G') + "PV" + encoded(sample(9)));
    auto event = reader.next();
    ASSERT_TRUE(event);
    ASSERT_FALSE(*event);
    EXPECT_EQ(event->error().code, ErrorCode::ProtocolError);
    auto next = reader.next();
    ASSERT_TRUE(next && *next) << "reader did not resynchronise";
    EXPECT_EQ((*next)->header["id"], 9);
}

TEST(Frame, MagicSplitAcrossFeedsDuringResync)
{
    FrameReader reader;
    std::string good = encoded(sample(4));
    reader.feed("garbage" + good.substr(0, 2));
    auto event = reader.next();
    ASSERT_TRUE(event && !*event);
    EXPECT_FALSE(reader.next());
    reader.feed(good.substr(2));
    auto next = reader.next();
    ASSERT_TRUE(next && *next);
    EXPECT_EQ((*next)->header["id"], 4);
}

TEST(Frame, InvalidJsonHeaderIsAnErrorButKeepsFraming)
{
    std::string bad = "{not json";
    FrameReader reader;
    reader.feed(prefix(static_cast<std::uint32_t>(bad.size()), 0) + bad + encoded(sample(3)));
    auto event = reader.next();
    ASSERT_TRUE(event && !*event);
    EXPECT_EQ(event->error().message, "frame header is not valid JSON");
    auto next = reader.next();
    ASSERT_TRUE(next && *next);
    EXPECT_EQ((*next)->header["id"], 3);
}

TEST(Frame, NonObjectHeaderIsAnError)
{
    std::string arr = "[1,2]";
    FrameReader reader;
    reader.feed(prefix(static_cast<std::uint32_t>(arr.size()), 0) + arr);
    auto event = reader.next();
    ASSERT_TRUE(event && !*event);
    EXPECT_EQ(event->error().message, "frame header is not a JSON object");
}

TEST(Frame, EmptyHeaderIsRefused)
{
    FrameReader reader;
    reader.feed(prefix(0, 0));
    auto event = reader.next();
    ASSERT_TRUE(event && !*event);
    EXPECT_EQ(event->error().message, "frame header is empty");
}

TEST(Frame, DeeplyNestedHeaderIsRefusedBeforeParsing)
{
    // 60,000 levels: parsing and printing such a value recursed the agent's
    // stack away; the scan refuses it and the next frame is still read.
    std::string deep = "{\"kind\":\"request\",\"id\":3,\"cmd\":\"checkpoint-write\",\"args\":{\"manifest\":" +
                       std::string(60000, '[') + std::string(60000, ']') + "}}";
    FrameReader reader;
    reader.feed(prefix(static_cast<std::uint32_t>(deep.size()), 0) + deep);
    reader.feed(encoded(sample(4)));
    auto first = reader.next();
    ASSERT_TRUE(first.has_value());
    ASSERT_FALSE(first->has_value());
    EXPECT_EQ(first->error().code, ErrorCode::ProtocolError);
    EXPECT_NE(first->error().message.find("nests deeper than 64"), std::string::npos) << first->error().message;
    auto second = reader.next();
    ASSERT_TRUE(second.has_value());
    ASSERT_TRUE(second->has_value());
    EXPECT_EQ(frameId(**second), 4u);
}

TEST(Frame, NestingAtTheLimitAndBracketsInStringsAreAccepted)
{
    std::string atLimit = std::string(kMaxJsonDepth - 1, '[') + std::string(kMaxJsonDepth - 1, ']');
    EXPECT_TRUE(checkJsonShape("{\"a\":" + atLimit + "}"));
    EXPECT_FALSE(checkJsonShape("{\"a\":[" + atLimit + "]}"));
    EXPECT_TRUE(checkJsonShape("{\"s\":\"" + std::string(1000, '[') + "\\\"[[[\"}"));
}

TEST(Frame, HeaderWithTooManyValuesIsRefused)
{
    std::string many = "[";
    for (std::size_t i = 0; i <= kMaxJsonElements; ++i)
        many += "0,";
    many += "0]";
    auto shape = checkJsonShape(many);
    ASSERT_FALSE(shape);
    EXPECT_EQ(shape.error().code, ErrorCode::ProtocolError);
    EXPECT_TRUE(checkJsonShape("[" + std::string(1000, '1') + "]"));
}

TEST(Frame, ResetGivesTheBufferBack)
{
    FrameReader reader;
    std::string big = encoded(sample(1, std::string(3 << 20, 'p')));
    reader.feed(big.substr(0, big.size() - 10));
    EXPECT_GE(reader.capacity(), 3u << 20);
    reader.reset();
    EXPECT_LT(reader.capacity(), 64u << 10);
    // And after a big frame passed whole.
    reader.feed(big);
    ASSERT_TRUE(reader.next().has_value());
    reader.feed(encoded(sample(2)));
    ASSERT_TRUE(reader.next().has_value());
    EXPECT_LT(reader.capacity(), 1u << 20);
}
