// Hostile input: each bad request gets its specific error code, the agent
// keeps serving, and nothing about the existing state changes.
#include "AgentHarness.h"

#include <sys/socket.h>

#include <filesystem>

using namespace pidvisor;
using namespace pidvisor::test;
using nlohmann::json;

namespace {

std::string rawFrame(const std::string& header)
{
    return framePrefix(static_cast<std::uint32_t>(header.size()), 0) + header;
}

std::string request(json header)
{
    return rawFrame(header.dump());
}

std::string create(json args)
{
    return request({{"kind", "request"}, {"id", 5}, {"cmd", "container-create"}, {"args", args}});
}

std::string cmd(const std::string& name, json args)
{
    return request({{"kind", "request"}, {"id", 6}, {"cmd", name}, {"args", args}});
}

struct Case {
    std::string what;
    std::string bytes;
    ErrorCode expected;
    bool closeAfter = false; // shut down our side after sending (truncation)
};

std::vector<Case> hostileCases()
{
    json sleepArgv = {"/bin/sleep", "1"};
    std::string good = request({{"kind", "request"}, {"id", 1}, {"cmd", "hello"}, {"args", helloArgs()}});
    return {
        {"garbage bytes", "\x01\x02garbage\xff\xfe not a frame at all", ErrorCode::ProtocolError},
        {"huge header length", framePrefix(0xffffffffU, 0), ErrorCode::ProtocolError},
        {"huge payload length", framePrefix(2, 0xfffffff0U) + "{}", ErrorCode::ProtocolError},
        {"truncated frame", good.substr(0, good.size() - 5), ErrorCode::ProtocolError, true},
        {"invalid JSON header", rawFrame("{\"kind\": \"request\", "), ErrorCode::ProtocolError},
        {"header is an array", rawFrame("[1,2,3]"), ErrorCode::ProtocolError},
        {"missing id", request({{"kind", "request"}, {"cmd", "hello"}}), ErrorCode::ProtocolError},
        {"string id", request({{"kind", "request"}, {"id", "1"}, {"cmd", "hello"}}), ErrorCode::ProtocolError},
        {"negative id", request({{"kind", "request"}, {"id", -4}, {"cmd", "hello"}}), ErrorCode::ProtocolError},
        {"kind is response", request({{"kind", "response"}, {"id", 2}, {"cmd", "hello"}}), ErrorCode::ProtocolError},
        {"missing command", request({{"kind", "request"}, {"id", 2}}), ErrorCode::ProtocolError},
        {"unknown command", cmd("container-explode", json::object()), ErrorCode::Unsupported},
        {"args is an array", request({{"kind", "request"}, {"id", 3}, {"cmd", "container-list"}, {"args", {1, 2}}}),
         ErrorCode::InvalidArgument},
        {"name of the wrong type", create({{"name", 42}, {"argv", sleepArgv}}), ErrorCode::InvalidArgument},
        {"name ../x", create({{"name", "../x"}, {"argv", sleepArgv}}), ErrorCode::InvalidArgument},
        {"empty name", create({{"name", ""}, {"argv", sleepArgv}}), ErrorCode::InvalidArgument},
        {"300-character name", create({{"name", std::string(300, 'n')}, {"argv", sleepArgv}}),
         ErrorCode::InvalidArgument},
        {"name with NUL", create({{"name", std::string("a\0b", 3)}, {"argv", sleepArgv}}), ErrorCode::InvalidArgument},
        {"100k-element argv", create({{"name", "big"}, {"argv", std::vector<std::string>(100000, "x")}}),
         ErrorCode::InvalidArgument},
        {"missing argv", create({{"name", "noargv"}}), ErrorCode::InvalidArgument},
        {"argv with a number", create({{"name", "n1"}, {"argv", {"/bin/sleep", 1}}}), ErrorCode::InvalidArgument},
        {"empty argv", create({{"name", "n2"}, {"argv", json::array()}}), ErrorCode::InvalidArgument},
        {"unknown argument", create({{"name", "n3"}, {"argv", sleepArgv}, {"capabilities_extra", true}}),
         ErrorCode::InvalidArgument},
        {"relative cwd", create({{"name", "n4"}, {"argv", sleepArgv}, {"cwd", "tmp"}}), ErrorCode::InvalidArgument},
        {"negative memory", create({{"name", "n5"}, {"argv", sleepArgv}, {"memory_mib", -1}}),
         ErrorCode::InvalidArgument},
        {"env without =", create({{"name", "n6"}, {"argv", sleepArgv}, {"env", {"JUSTKEY"}}}),
         ErrorCode::InvalidArgument},
        {"create of an existing name", create({{"name", "existing"}, {"argv", sleepArgv}}), ErrorCode::AlreadyExists},
        {"exec into a missing container", cmd("container-exec", {{"name", "ghost"}, {"argv", {"/bin/true"}}}),
         ErrorCode::NotFound},
        {"exec with empty argv", cmd("container-exec", {{"name", "existing"}, {"argv", json::array()}}),
         ErrorCode::InvalidArgument},
        {"exec with huge stdin", cmd("container-exec", {{"name", "existing"}, {"argv", {"/bin/cat"}},
                                                        {"stdin", std::string(100000, 'i')}}),
         ErrorCode::InvalidArgument},
        {"ps of a missing container", cmd("container-ps", {{"name", "ghost"}}), ErrorCode::NotFound},
        {"kill with an unknown signal", cmd("container-kill", {{"name", "existing"}, {"signal", "BOGUS"}}),
         ErrorCode::InvalidArgument},
        {"kill with signal 999", cmd("container-kill", {{"name", "existing"}, {"signal", 999}}),
         ErrorCode::InvalidArgument},
        {"rm of a running container", cmd("container-rm", {{"name", "existing"}}), ErrorCode::FailedPrecondition},
        {"logs with negative tail", cmd("container-logs", {{"name", "existing"}, {"tail_bytes", -1}}),
         ErrorCode::InvalidArgument},
        {"hello with unknown argument", cmd("hello", {{"evil", 1}}), ErrorCode::InvalidArgument},
        {"hello from a client of protocol 2", cmd("hello", {{"protocol", 2}}), ErrorCode::Unsupported},
        {"hello without the client's protocol", cmd("hello", json::object()), ErrorCode::InvalidArgument},
        {"name with path traversal for rm", cmd("container-rm", {{"name", "../../etc"}}), ErrorCode::InvalidArgument},
    };
}

std::vector<std::string> stateListing(const AgentHarness& agent)
{
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(agent.stateDir() + "/containers"))
        if (e.path().string().find("/upper/") == std::string::npos && e.path().string().find("/work/") == std::string::npos)
            out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

TEST(HostileInput, EachBadRequestGetsItsErrorAndChangesNothing)
{
    PV_REQUIRE_ROOT();
    AgentHarness agent;
    ASSERT_TRUE(agent.call("container-create", {{"name", "existing"}, {"argv", {"/bin/sleep", "1000"}}}));
    auto listBefore = agent.call("container-list");
    ASSERT_TRUE(listBefore);
    auto filesBefore = stateListing(agent);

    auto cases = hostileCases();
    ASSERT_GE(cases.size(), 25u);
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        auto channel = agent.connect();
        ASSERT_TRUE(channel.sendRaw(c.bytes));
        if (c.closeAfter)
            ::shutdown(channel.fd(), SHUT_WR);
        auto response = nextResponse(channel);
        ASSERT_TRUE(response) << response.error().describe();
        ASSERT_FALSE(response->result) << "accepted: " << response->result->dump();
        EXPECT_EQ(errorCodeName(response->result.error().code), errorCodeName(c.expected))
            << response->result.error().message;
        EXPECT_FALSE(response->result.error().message.empty());
        if (!c.closeAfter) {
            // The same connection still works after a bad frame.
            auto again = roundTrip(channel, 99, "hello", helloArgs());
            ASSERT_TRUE(again) << again.error().describe();
            EXPECT_TRUE(again->result);
        }
        ASSERT_TRUE(agent.running()) << "agent died";
    }
    auto listAfter = agent.call("container-list");
    ASSERT_TRUE(listAfter);
    EXPECT_EQ(*listAfter, *listBefore);
    EXPECT_EQ(stateListing(agent), filesBefore);
}

TEST(HostileInput, GarbageThenAValidRequestOnOneStream)
{
    PV_REQUIRE_ROOT();
    AgentHarness agent;
    auto channel = agent.connect();
    std::string bytes = std::string(5000, '\xAA') + request({{"kind", "request"}, {"id", 8}, {"cmd", "hello"}, {"args", helloArgs()}});
    ASSERT_TRUE(channel.sendRaw(bytes));
    auto first = nextResponse(channel);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->id, 0u);
    EXPECT_EQ(first->result.error().code, ErrorCode::ProtocolError);
    auto second = nextResponse(channel);
    ASSERT_TRUE(second) << second.error().describe();
    EXPECT_EQ(second->id, 8u);
    EXPECT_TRUE(second->result);
}

TEST(HostileInput, ManyRequestsInFlightAreAnsweredById)
{
    PV_REQUIRE_ROOT();
    AgentHarness agent;
    auto channel = agent.connect();
    // A slow one first: the fast ones must not wait behind it.
    ASSERT_TRUE(channel.send(protocol::makeRequest(
        1, "guest-exec", {{"argv", {"/bin/sh", "-c", "sleep 1; echo slow"}}})));
    for (std::uint64_t id = 2; id <= 20; ++id)
        ASSERT_TRUE(channel.send(protocol::makeRequest(id, "hello", helloArgs())));
    std::vector<std::uint64_t> order;
    for (int i = 0; i < 20; ++i) {
        auto r = nextResponse(channel);
        ASSERT_TRUE(r) << r.error().describe();
        ASSERT_TRUE(r->result);
        order.push_back(r->id);
    }
    EXPECT_EQ(order.back(), 1u) << "the slow request held up the others";
    std::sort(order.begin(), order.end());
    for (std::uint64_t id = 1; id <= 20; ++id)
        EXPECT_EQ(order[id - 1], id);
}
