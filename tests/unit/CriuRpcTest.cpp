// CriuRpc's conversation with `criu swrk`, against FakeCriuSwrk: the
// notifications reach the handler in order, a refusal is answered "no" and
// becomes the call's error, CRIU's failure comes back with its errno and
// message, and a silent or confused criu is cut off with a clear error.
#include "daemon/CriuRpc.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>

namespace pidvisor::agent {
namespace {

CriuRpcOptions fake(std::chrono::milliseconds timeout = std::chrono::seconds(20))
{
    return CriuRpcOptions{PIDVISOR_FAKE_CRIU, timeout};
}

CriuRequest restoreRequest(const std::string& log)
{
    CriuRestoreOptions o;
    o.imagesDirFd = 0;
    o.workDirFd = 0;
    o.logFile = log;
    o.root = "/";
    return CriuRequest::restore(o);
}

CriuRequest dumpRequest(const std::string& log)
{
    CriuDumpOptions o;
    o.pid = 1;
    o.imagesDirFd = 0;
    o.workDirFd = 0;
    o.logFile = log;
    o.notifyScripts = true;
    return CriuRequest::dump(o);
}

TEST(CriuRpc, RestoreReportsTheNotificationsAndThePidFromTheResponse)
{
    std::vector<std::pair<std::string, pid_t>> seen;
    auto answer = callCriu(restoreRequest("restore-ok.log"), [&](const CriuNotification& n) -> Status {
        seen.emplace_back(n.script, n.pid);
        return {};
    }, fake());
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_TRUE(answer->success);
    EXPECT_EQ(answer->restoredPid, 4242);
    EXPECT_EQ(seen, (std::vector<std::pair<std::string, pid_t>>{{"setup-namespaces", 42}, {"pre-resume", 0}}));
    EXPECT_EQ(answer->notifications, (std::vector<std::string>{"setup-namespaces", "pre-resume"}));
}

TEST(CriuRpc, ARefusedNotificationIsAnsweredNoAndIsTheError)
{
    auto answer = callCriu(restoreRequest("restore-ok.log"), [&](const CriuNotification& n) -> Status {
        if (n.script == "pre-resume")
            return fail(ErrorCode::FailedPrecondition, "pid 3 came back as pid 5");
        return {};
    }, fake());
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().code, ErrorCode::FailedPrecondition);
    EXPECT_EQ(answer.error().message, "pid 3 came back as pid 5");
}

TEST(CriuRpc, DumpRunsThePostDumpHandler)
{
    int calls = 0;
    auto answer = callCriu(dumpRequest("dump-ok.log"), [&](const CriuNotification& n) -> Status {
        calls += n.script == "post-dump";
        return {};
    }, fake());
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_TRUE(answer->success);
    EXPECT_EQ(calls, 1);
}

TEST(CriuRpc, CriusFailureCarriesItsErrnoAndMessage)
{
    auto answer = callCriu(dumpRequest("dump-fail.log"), nullptr, fake());
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_FALSE(answer->success);
    EXPECT_EQ(answer->crErrno, EPERM);
    EXPECT_EQ(answer->crErrmsg, "Can't seize the tree");
}

TEST(CriuRpc, ASilentCriuIsKilledAtTheTimeout)
{
    auto started = std::chrono::steady_clock::now();
    auto answer = callCriu(dumpRequest("hang.log"), nullptr, fake(std::chrono::milliseconds(1500)));
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().code, ErrorCode::Timeout);
    EXPECT_EQ(answer.error().message, "criu did not finish within 1 s");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(CriuRpc, RefusesAnswersThatAreNotCriusResponse)
{
    auto garbage = callCriu(dumpRequest("garbage.log"), nullptr, fake());
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().message, "criu's answer is not a criu_resp message");

    auto wrong = callCriu(dumpRequest("wrong-type.log"), nullptr, fake());
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().message, "criu answered a request of type 1 with type 3");
}

TEST(CriuRpc, AMissingCriuIsAnErrorNotAHang)
{
    auto answer = callCriu(dumpRequest("dump-ok.log"), nullptr,
                           CriuRpcOptions{"/nonexistent/criu", std::chrono::seconds(10)});
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().code, ErrorCode::Unsupported);
    EXPECT_EQ(answer.error().message, "no criu executable at /nonexistent/criu");
}

} // namespace
} // namespace pidvisor::agent
