// Messages: requests and responses survive a JSON round trip; malformed
// headers are named precisely.
#include "protocol/Message.h"

#include <gtest/gtest.h>

using namespace pidvisor;
using namespace pidvisor::protocol;
using nlohmann::json;

namespace {
Frame roundTrip(const Frame& f)
{
    auto bytes = encodeFrame(f);
    EXPECT_TRUE(bytes);
    FrameReader r;
    r.feed(*bytes);
    auto event = r.next();
    EXPECT_TRUE(event && *event);
    return **event;
}
} // namespace

TEST(Message, RequestRoundTrip)
{
    json args{{"name", "web"}, {"argv", {"/bin/sh", "-c", "echo \xc3\xa9"}}};
    auto req = parseRequest(roundTrip(makeRequest(42, "container-create", args, "data")));
    ASSERT_TRUE(req);
    EXPECT_EQ(req->id, 42u);
    EXPECT_EQ(req->cmd, "container-create");
    EXPECT_EQ(req->args, args);
    EXPECT_EQ(req->payload, "data");
}

TEST(Message, ResponseRoundTrip)
{
    auto ok = parseResponse(roundTrip(makeResponse(3, {{"x", 1}})));
    ASSERT_TRUE(ok);
    ASSERT_TRUE(ok->result);
    EXPECT_EQ((*ok->result)["x"], 1);

    auto bad = parseResponse(roundTrip(makeErrorResponse(4, Error{ErrorCode::NotFound, "no container named 'x'"})));
    ASSERT_TRUE(bad);
    ASSERT_FALSE(bad->result);
    EXPECT_EQ(bad->result.error().code, ErrorCode::NotFound);
    EXPECT_EQ(bad->result.error().message, "no container named 'x'");
}

TEST(Message, ProgressRoundTrip)
{
    auto p = parseProgress(roundTrip(makeProgress({5, "dump", 10, 20})));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->stage, "dump");
    EXPECT_EQ(p->done, 10u);
    EXPECT_EQ(p->total, 20u);
}

TEST(Message, RequestWithoutIdIsAProtocolError)
{
    Frame f{json{{"kind", "request"}, {"cmd", "hello"}}, {}};
    auto req = parseRequest(f);
    ASSERT_FALSE(req);
    EXPECT_EQ(req.error().code, ErrorCode::ProtocolError);
}

TEST(Message, RequestWithStringIdIsAProtocolError)
{
    Frame f{json{{"kind", "request"}, {"id", "7"}, {"cmd", "hello"}}, {}};
    EXPECT_EQ(parseRequest(f).error().code, ErrorCode::ProtocolError);
}

TEST(Message, RequestWithArrayArgsIsInvalid)
{
    Frame f{json{{"kind", "request"}, {"id", 1}, {"cmd", "hello"}, {"args", json::array()}}, {}};
    EXPECT_EQ(parseRequest(f).error().code, ErrorCode::InvalidArgument);
}

TEST(Message, ErrorCodeNamesRoundTrip)
{
    for (auto code : {ErrorCode::InvalidArgument, ErrorCode::NotFound, ErrorCode::AlreadyExists,
                      ErrorCode::FailedPrecondition, ErrorCode::Unsupported, ErrorCode::PermissionDenied,
                      ErrorCode::ResourceExhausted, ErrorCode::Unavailable, ErrorCode::Timeout,
                      ErrorCode::Cancelled, ErrorCode::ProtocolError, ErrorCode::Internal})
        EXPECT_EQ(errorCodeFromName(errorCodeName(code)), code);
    EXPECT_FALSE(errorCodeFromName("bogus"));
}

TEST(Message, DataHeaderFieldsOfTheWrongTypeAreProtocolErrors)
{
    auto good = parseData(Frame{{{"kind", "data"}, {"id", 3}, {"stream", "images/a"}, {"offset", 5}, {"eof", true}}, {}});
    ASSERT_TRUE(good) << good.error().message;
    EXPECT_EQ(good->stream, "images/a");
    EXPECT_EQ(good->offset, 5u);
    EXPECT_TRUE(good->eof);
    for (const nlohmann::json& header : {
             nlohmann::json{{"kind", "data"}, {"id", 3}, {"stream", 12}},
             nlohmann::json{{"kind", "data"}, {"id", 3}, {"stream", nullptr}},
             nlohmann::json{{"kind", "data"}, {"id", 3}, {"stream", "a"}, {"offset", "0"}},
             nlohmann::json{{"kind", "data"}, {"id", 3}, {"stream", "a"}, {"offset", 1.5}},
             nlohmann::json{{"kind", "data"}, {"id", 3}, {"stream", "a"}, {"eof", 1}},
             nlohmann::json{{"kind", "data"}, {"id", 3}, {"stream", "a"}, {"symlink", {1}}},
             nlohmann::json{{"kind", "data"}, {"id", "3"}, {"stream", "a"}},
         }) {
        SCOPED_TRACE(header.dump());
        std::optional<Result<DataHeader>> parsed;
        EXPECT_NO_THROW(parsed = parseData(Frame{header, {}}));
        ASSERT_FALSE(*parsed);
        EXPECT_EQ(parsed->error().code, ErrorCode::ProtocolError);
    }
}
