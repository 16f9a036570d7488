// Inventory shared the way the product shares it: one object across GUI
// worker threads, several connections (CLI + GUI) on one file, and
// separate processes.
#include "InventoryTestSupport.h"

#include "inventory/Database.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

using namespace pidvisor;
using namespace pidvisor::manager;
using namespace pidvisor::manager::test;

namespace {

constexpr int kThreads = 4;
constexpr int kWritesPerThread = 200;

// Writes kWritesPerThread operations; returns the first error, if any.
std::string writeOperations(Inventory& inventory, int writer)
{
    for (int i = 0; i < kWritesPerThread; ++i) {
        auto id = inventory.beginOperation("test.write", std::to_string(writer) + "/" + std::to_string(i));
        if (!id)
            return id.error().describe();
        if (auto ended = inventory.endOperation(*id, Status{}); !ended)
            return ended.error().describe();
    }
    return {};
}

std::size_t operationCount(Inventory& inventory)
{
    return inventory.operations(100000).value().size();
}

} // namespace

TEST(InventoryConcurrency, TwoInventoriesOnOneFileSeeEachOther)
{
    TestDirectory dir;
    auto cli = Inventory::open(dir.file());
    auto gui = Inventory::open(dir.file());
    ASSERT_OK(cli);
    ASSERT_OK(gui);
    auto host = cli->ensureHost("qemu:///system", "local");
    ASSERT_OK(host);
    auto vm = gui->insertVm(sampleVm(host->id, "demo"));
    ASSERT_OK(vm);
    EXPECT_EQ((*cli->findVm(host->id, "demo"))->id, *vm);
    ASSERT_OK(cli->setVmState(*vm, VmState::ShutOff));
    EXPECT_EQ((*gui->findVmById(*vm))->state, VmState::ShutOff);
    EXPECT_EQ(gui->ensureHost("qemu:///system", "other")->id, host->id);
}

TEST(InventoryConcurrency, ThreadsSharingOneInventoryAllLand)
{
    TestDirectory dir;
    auto inventory = Inventory::open(dir.file());
    ASSERT_OK(inventory);
    std::vector<std::string> errors(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] { errors[t] = writeOperations(*inventory, t); });
    for (auto& thread : threads)
        thread.join();
    for (const auto& error : errors)
        EXPECT_EQ(error, "");
    EXPECT_EQ(operationCount(*inventory), static_cast<std::size_t>(kThreads * kWritesPerThread));
}

TEST(InventoryConcurrency, ThreadsWithTheirOwnConnectionsAllLand)
{
    TestDirectory dir;
    ASSERT_OK(Inventory::open(dir.file()));
    std::vector<std::string> errors(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            auto own = Inventory::open(dir.file());
            errors[t] = own ? writeOperations(*own, t) : own.error().describe();
        });
    for (auto& thread : threads)
        thread.join();
    for (const auto& error : errors)
        EXPECT_EQ(error, "");
    auto inventory = Inventory::open(dir.file());
    ASSERT_OK(inventory);
    EXPECT_EQ(operationCount(*inventory), static_cast<std::size_t>(kThreads * kWritesPerThread));
}

TEST(InventoryConcurrency, SeparateProcessesAllLand)
{
    TestDirectory dir;
    ASSERT_OK(Inventory::open(dir.file()));
    std::vector<pid_t> children;
    for (int p = 0; p < 2; ++p) {
        pid_t pid = ::fork();
        if (pid == 0) {
            auto own = Inventory::open(dir.file());
            ::_exit(own && writeOperations(*own, p).empty() ? 0 : 1);
        }
        children.push_back(pid);
    }
    for (pid_t child : children) {
        int status = -1;
        ::waitpid(child, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    auto inventory = Inventory::open(dir.file());
    ASSERT_OK(inventory);
    EXPECT_EQ(operationCount(*inventory), static_cast<std::size_t>(2 * kWritesPerThread));
}

TEST(InventoryConcurrency, AWriterWaitsForAnotherConnectionsTransaction)
{
    using namespace std::chrono;
    TestDirectory dir;
    auto inventory = Inventory::open(dir.file());
    ASSERT_OK(inventory);
    auto other = Database::open(dir.file());
    ASSERT_OK(other);
    ASSERT_OK(other->exec("locking", "BEGIN IMMEDIATE"));

    // WAL: reading while another connection holds the write lock is fine.
    EXPECT_OK(inventory->hosts());

    std::thread release([&] {
        std::this_thread::sleep_for(milliseconds(300));
        (void)other->exec("unlocking", "COMMIT");
    });
    auto start = steady_clock::now();
    auto host = inventory->ensureHost("qemu:///system", "local");
    auto waited = steady_clock::now() - start;
    release.join();
    EXPECT_OK(host);
    EXPECT_GE(waited, milliseconds(200));
}
