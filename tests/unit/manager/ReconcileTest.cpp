// Reconcile against libvirt's in-memory test:///default driver: a domain
// deleted behind Pidvisor's back is marked missing (kept), a domain with
// Pidvisor metadata that the inventory does not know is adopted, and
// domains without our metadata are left alone.
#include "TestDriverFixture.h"
#include "TestVmSpec.h"
#include "vm/VmService.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace pidvisor;
using namespace pidvisor::manager;

namespace {

class Reconcile : public test::TestDriverFixture {
protected:
    void SetUp() override
    {
        TestDriverFixture::SetUp();
        if (HasFatalFailure())
            return;
        m_service = std::make_unique<VmService>(*m_inventory, *m_conn, Paths::defaults());
    }

    std::string unique(const std::string& base) { return base + std::to_string(::getpid()) + std::to_string(m_n++); }

    std::unique_ptr<VmService> m_service;
    int m_n = 0;
};

} // namespace

TEST_F(Reconcile, AdoptsDomainsCarryingPidvisorMetadata)
{
    std::string name = unique("adopt");
    auto dom = m_conn->define(buildDomainXml(test::testVmSpec(name, 99)));
    ASSERT_TRUE(dom) << dom.error().message;
    auto report = m_service->reconcile(false);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->adopted, std::vector<std::string>{name});
    auto vm = m_service->record(name);
    ASSERT_TRUE(vm) << vm.error().message;
    EXPECT_EQ(vm->memoryMiB, 256);
    EXPECT_EQ(vm->accel, "tcg");
    EXPECT_EQ(vm->consoleLog, "/tmp/" + name + "-console.log");
    EXPECT_FALSE(vm->missing);
    // A second pass adopts nothing new.
    EXPECT_TRUE(m_service->reconcile(false)->adopted.empty());
    ASSERT_TRUE(m_conn->undefine(dom->get()));
}

TEST_F(Reconcile, LeavesForeignDomainsAlone)
{
    // test:///default starts with a domain named "test" without our metadata.
    auto report = m_service->reconcile(false);
    ASSERT_TRUE(report);
    auto vm = m_service->record("test");
    EXPECT_FALSE(vm);
    EXPECT_EQ(vm.error().code, ErrorCode::NotFound);
}

TEST_F(Reconcile, DomainDeletedBehindOurBackIsMarkedMissingNotDropped)
{
    std::string name = unique("gone");
    auto dom = m_conn->define(buildDomainXml(test::testVmSpec(name, 99)));
    ASSERT_TRUE(dom);
    ASSERT_TRUE(m_service->reconcile(false));
    ASSERT_TRUE(m_conn->undefine(dom->get()));

    auto report = m_service->reconcile(false);
    ASSERT_TRUE(report);
    EXPECT_EQ(report->missing, std::vector<std::string>{name});
    auto vm = m_service->record(name);
    ASSERT_TRUE(vm) << "a missing VM must stay in the inventory";
    EXPECT_TRUE(vm->missing);
    auto shown = m_service->show(name);
    ASSERT_TRUE(shown);
    EXPECT_EQ(shown->toJson()["state"], "missing");

    // It comes back when the domain does.
    ASSERT_TRUE(m_conn->define(buildDomainXml(test::testVmSpec(name, 99))));
    report = m_service->reconcile(false);
    ASSERT_TRUE(report);
    EXPECT_FALSE(m_service->record(name)->missing);
    ASSERT_TRUE(m_conn->undefine(m_conn->lookup(name)->get()));
}

TEST_F(Reconcile, StateChangesAreMirrored)
{
    std::string name = unique("state");
    auto dom = m_conn->define(buildDomainXml(test::testVmSpec(name, 99)));
    ASSERT_TRUE(dom);
    ASSERT_TRUE(m_service->reconcile(false));
    EXPECT_EQ(m_service->record(name)->state, VmState::ShutOff);
    ASSERT_TRUE(m_conn->start(dom->get()));
    auto report = m_service->reconcile(false);
    ASSERT_TRUE(report);
    EXPECT_GE(report->updated, 1);
    EXPECT_EQ(m_service->record(name)->state, VmState::Running);
    auto listed = m_service->list();
    ASSERT_TRUE(listed);
    ASSERT_TRUE(m_conn->destroy(dom->get()));
    ASSERT_TRUE(m_conn->undefine(dom->get()));
}

TEST_F(Reconcile, RemoveOfAMissingVmDropsOnlyTheInventoryEntry)
{
    std::string name = unique("rm");
    auto dom = m_conn->define(buildDomainXml(test::testVmSpec(name, 99)));
    ASSERT_TRUE(dom);
    ASSERT_TRUE(m_service->reconcile(false));
    ASSERT_TRUE(m_conn->undefine(dom->get()));
    ASSERT_TRUE(m_service->reconcile(false));
    auto removed = m_service->remove(name, false);
    // The pool does not exist on the test driver: removal must still drop the entry.
    EXPECT_TRUE(removed) << removed.error().message;
    EXPECT_FALSE(m_service->record(name));
}

TEST_F(Reconcile, NeverAdoptsAnotherLiveInventorysDomain)
{
    std::string theirs = std::filesystem::temp_directory_path() / ("pv-other-" + std::to_string(::getpid()) + ".db");
    std::ofstream(theirs) << "";
    std::string host = m_service->ownerTag().substr(0, m_service->ownerTag().find(':'));

    VmSpec owned = test::testVmSpec(unique("owned"), 99);
    owned.owner = host + ":" + theirs;
    auto d1 = m_conn->define(buildDomainXml(owned));
    ASSERT_TRUE(d1);
    VmSpec orphan = test::testVmSpec(unique("orphan"), 99);
    orphan.owner = host + ":/nonexistent/inventory.db";
    auto d2 = m_conn->define(buildDomainXml(orphan));
    ASSERT_TRUE(d2);
    VmSpec remote = test::testVmSpec(unique("remote"), 99);
    remote.owner = "another-machine:/nonexistent/inventory.db";
    auto d3 = m_conn->define(buildDomainXml(remote));
    ASSERT_TRUE(d3);

    auto report = m_service->reconcile(false);
    ASSERT_TRUE(report);
    EXPECT_EQ(report->adopted, std::vector<std::string>{orphan.name});
    EXPECT_FALSE(m_service->record(owned.name)) << "adopted a VM another live inventory manages";
    EXPECT_FALSE(m_service->record(remote.name)) << "adopted a VM another machine's manager made";
    for (auto* d : {&d1, &d2, &d3})
        ASSERT_TRUE(m_conn->undefine((*d)->get()));
    std::filesystem::remove(theirs);
}
