// Inventory: the operations log, and operations left running by a process
// that died.
#include "InventoryTestSupport.h"

#include <sys/wait.h>
#include <unistd.h>

using namespace pidvisor;
using namespace pidvisor::manager;
using namespace pidvisor::manager::test;

namespace {

// Runs body in a child process that then ends without cleaning up, the
// way a killed CLI would. Returns the child's exit status.
template <class Body>
int inChildThatDies(Body body)
{
    pid_t pid = ::fork();
    if (pid == 0) {
        body();
        ::_exit(0);
    }
    int status = -1;
    ::waitpid(pid, &status, 0);
    return status;
}

} // namespace

TEST(InventoryOperations, BeginThenEndOk)
{
    auto inventory = Inventory::open(":memory:");
    ASSERT_OK(inventory);
    auto id = inventory->beginOperation("vm.create", "demo", R"({"memory":1024})");
    ASSERT_OK(id);
    OperationRecord running = **inventory->findOperation(*id);
    EXPECT_EQ(running.kind, "vm.create");
    EXPECT_EQ(running.target, "demo");
    EXPECT_EQ(running.result, OperationOutcome::Running);
    EXPECT_EQ(running.endedAt, std::nullopt);
    EXPECT_GT(running.startedAt, 1600000000000);
    EXPECT_EQ(running.ownerPid, ::getpid());
    EXPECT_EQ(running.detailsJson, R"({"memory":1024})");

    ASSERT_OK(inventory->endOperation(*id, Status{}));
    OperationRecord ended = **inventory->findOperation(*id);
    EXPECT_EQ(ended.result, OperationOutcome::Ok);
    ASSERT_TRUE(ended.endedAt.has_value());
    EXPECT_GE(*ended.endedAt, ended.startedAt);
    EXPECT_EQ(ended.errorCode, "");
    EXPECT_EQ(ended.detailsJson, R"({"memory":1024})"); // kept: none given at the end
}

TEST(InventoryOperations, ErrorsAndCancellationAreRecorded)
{
    auto inventory = Inventory::open(":memory:");
    ASSERT_OK(inventory);
    auto failed = inventory->beginOperation("container.checkpoint", "demo/web");
    ASSERT_OK(failed);
    ASSERT_OK(inventory->endOperation(*failed, fail(ErrorCode::Timeout, "criu dump took longer than 60 s"),
                                      R"({"phase":"dump"})"));
    OperationRecord error = **inventory->findOperation(*failed);
    EXPECT_EQ(error.result, OperationOutcome::Error);
    EXPECT_EQ(error.errorCode, "timeout");
    EXPECT_EQ(error.errorMessage, "criu dump took longer than 60 s");
    EXPECT_EQ(error.detailsJson, R"({"phase":"dump"})");

    auto stopped = inventory->beginOperation("vm.create", "demo");
    ASSERT_OK(stopped);
    ASSERT_OK(inventory->endOperation(*stopped, fail(ErrorCode::Cancelled, "cancelled by the user")));
    OperationRecord cancelled = **inventory->findOperation(*stopped);
    EXPECT_EQ(cancelled.result, OperationOutcome::Cancelled);
    EXPECT_EQ(cancelled.errorCode, "cancelled");
    EXPECT_EQ(cancelled.detailsJson, "{}");
}

TEST(InventoryOperations, EndingTwiceOrUnknownIsRefused)
{
    auto inventory = Inventory::open(":memory:");
    ASSERT_OK(inventory);
    auto id = inventory->beginOperation("vm.start", "demo");
    ASSERT_OK(id);
    ASSERT_OK(inventory->endOperation(*id, Status{}));
    Status twice = inventory->endOperation(*id, fail(ErrorCode::Internal, "late"));
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::FailedPrecondition);
    EXPECT_EQ(twice.error().message, "inventory: operation with id " + std::to_string(*id) + " already ended (ok)");
    EXPECT_EQ((*inventory->findOperation(*id))->result, OperationOutcome::Ok);

    Status unknown = inventory->endOperation(9999, Status{});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
    EXPECT_EQ(*inventory->findOperation(9999), std::nullopt);
}

TEST(InventoryOperations, DetailsMustBeJson)
{
    auto inventory = Inventory::open(":memory:");
    ASSERT_OK(inventory);
    auto id = inventory->beginOperation("vm.create", "demo", "not json");
    ASSERT_FALSE(id);
    EXPECT_EQ(id.error().code, ErrorCode::InvalidArgument);
}

TEST(InventoryOperations, ListedNewestFirstWithALimit)
{
    auto inventory = Inventory::open(":memory:");
    ASSERT_OK(inventory);
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 5; ++i) {
        auto id = inventory->beginOperation("vm.start", "vm" + std::to_string(i));
        ASSERT_OK(id);
        ids.push_back(*id);
    }
    auto all = inventory->operations();
    ASSERT_OK(all);
    ASSERT_EQ(all->size(), 5u);
    for (std::size_t i = 0; i < 5; ++i)
        EXPECT_EQ((*all)[i].id, ids[4 - i]);
    auto two = inventory->operations(2);
    ASSERT_OK(two);
    ASSERT_EQ(two->size(), 2u);
    EXPECT_EQ(two->front().target, "vm4");
}

TEST(InventoryOperations, OnlyOperationsOfEndedProcessesAreInterrupted)
{
    TestDirectory dir;
    std::string path = dir.file();
    auto inventory = Inventory::open(path);
    ASSERT_OK(inventory);
    auto mine = inventory->beginOperation("vm.create", "live");
    ASSERT_OK(mine);

    int status = inChildThatDies([&] {
        auto child = Inventory::open(path);
        if (!child || !child->beginOperation("vm.create", "dead"))
            ::_exit(1);
    });
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    auto interrupted = inventory->interruptedOperations();
    ASSERT_OK(interrupted);
    ASSERT_EQ(interrupted->size(), 1u);
    EXPECT_EQ(interrupted->front().target, "dead");
    EXPECT_NE(interrupted->front().ownerPid, ::getpid());

    auto marked = inventory->markInterrupted();
    ASSERT_OK(marked);
    ASSERT_EQ(marked->size(), 1u);
    OperationRecord dead = **inventory->findOperation(marked->front().id);
    EXPECT_EQ(marked->front(), dead);
    EXPECT_EQ(dead.result, OperationOutcome::Error);
    EXPECT_EQ(dead.errorCode, "unavailable");
    EXPECT_EQ(dead.errorMessage, "interrupted: the process running it ended");
    EXPECT_TRUE(dead.endedAt.has_value());

    EXPECT_TRUE(inventory->interruptedOperations()->empty());
    EXPECT_TRUE(inventory->markInterrupted()->empty());
    EXPECT_EQ((*inventory->findOperation(*mine))->result, OperationOutcome::Running);
}
