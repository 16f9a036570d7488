// `pidvisor __complete`: commands and options from the real CLI definitions,
// names from a real inventory file, and nothing created when there is none.
#include "cli/Cli.h"
#include "cli/Completion.h"

#include "../unit/inventory/InventoryTestSupport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <unistd.h>

namespace pidvisor::manager {
namespace {

namespace fs = std::filesystem;
using test::sampleVm;
using Words = std::vector<std::string>;

class CompletionTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_dir = fs::temp_directory_path() / ("pidvisor-completion-" + std::to_string(::getpid()));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
        m_db = (m_dir / "inventory.db").string();
        definePidvisorCli(m_app, m_options, m_ctx);
    }
    void TearDown() override { fs::remove_all(m_dir); }

    void fillInventory()
    {
        auto inv = Inventory::open(m_db);
        ASSERT_OK(inv);
        auto host = inv->ensureHost("qemu:///system", "local");
        ASSERT_OK(host);
        auto web1 = inv->insertVm(sampleVm(host->id, "web1"));
        ASSERT_OK(web1);
        auto web2 = inv->insertVm(sampleVm(host->id, "web2"));
        ASSERT_OK(web2);
        for (const char* name : {"app", "api"}) {
            ContainerRecord c;
            c.vmId = *web1;
            c.name = name;
            c.state = ContainerState::Running;
            ASSERT_OK(inv->upsertContainer(c));
        }
        CheckpointRecord ck;
        ck.id = "ck-20261202-aaaa";
        ck.vmId = *web1;
        ck.vmName = "web1";
        ck.containerName = "app";
        ASSERT_OK(inv->insertCheckpoint(ck));
    }

    Words complete(Words words) { return completeWords(m_app, words, inventoryNames); }
    Words withDb(Words words)
    {
        words.insert(words.begin(), {"--db", m_db});
        return complete(words);
    }

    fs::path m_dir;
    std::string m_db;
    CLI::App m_app{kPidvisorCliDescription};
    GlobalOptions m_options;
    CliContext m_ctx{m_options};
};

bool has(const Words& w, const std::string& s)
{
    return std::find(w.begin(), w.end(), s) != w.end();
}

TEST_F(CompletionTest, CommandsAtTheTopWithoutHiddenOnes)
{
    Words w = complete({""});
    for (const char* c : {"vm", "container", "image", "guest-image", "kernel", "reconcile", "ops", "checkpoint", "version"})
        EXPECT_TRUE(has(w, c)) << c;
    EXPECT_FALSE(has(w, "__complete"));
    EXPECT_EQ(complete({"ve"}), Words{"version"});
}

TEST_F(CompletionTest, SubcommandsAndTheirOptionsWithGlobalOnes)
{
    EXPECT_EQ(complete({"vm", "cr"}), Words{"create"});
    Words opts = complete({"vm", "create", "--"});
    for (const char* o : {"--memory", "--cpus", "--kernel", "--accel", "--disk", "--timeout", "--db", "--json"})
        EXPECT_TRUE(has(opts, o)) << o;
    EXPECT_EQ(complete({"--json", "vm", "create", "--me"}), Words{"--memory"});
    EXPECT_EQ(complete({"vm", "create", "--kernel", ""}), (Words{"stock", "container"}));
}

TEST_F(CompletionTest, NamesFromTheInventoryNamedOnTheLine)
{
    fillInventory();
    EXPECT_EQ(withDb({"vm", "show", ""}), (Words{"web1", "web2"}));
    EXPECT_EQ(withDb({"vm", "start", "web"}), (Words{"web1", "web2"}));
    EXPECT_EQ(withDb({"container", "ps", "w"}), (Words{"web1", "web2"}));
    Words containers = withDb({"container", "ps", "web1", ""});
    std::sort(containers.begin(), containers.end());
    EXPECT_EQ(containers, (Words{"api", "app"}));
    EXPECT_TRUE(withDb({"container", "ps", "web2", ""}).empty());
    EXPECT_EQ(withDb({"checkpoint", "show", "ck"}), Words{"ck-20261202-aaaa"});
    EXPECT_EQ(withDb({"container", "restore", "ck-2026", "--vm", "web2"}), Words{"web2"});
    EXPECT_EQ(withDb({"container", "migrate", "web1", "app", "--to", ""}), (Words{"web1", "web2"}));
    // Past the last positional and after "--" (a command line inside the VM) nothing is offered.
    EXPECT_TRUE(withDb({"vm", "show", "web1", ""}).empty());
    EXPECT_TRUE(withDb({"vm", "exec", "web1", "--", ""}).empty());
}

TEST_F(CompletionTest, NoInventoryNoNamesAndNoFileCreated)
{
    std::string missing = (m_dir / "none" / "inventory.db").string();
    EXPECT_TRUE(complete({"--db", missing, "vm", "show", ""}).empty());
    EXPECT_FALSE(fs::exists(m_dir / "none"));
}

} // namespace
} // namespace pidvisor::manager
