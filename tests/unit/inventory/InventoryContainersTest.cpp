// Inventory: containers, and replacing a VM's set in one step.
#include "InventoryTestSupport.h"

using namespace pidvisor;
using namespace pidvisor::manager;
using namespace pidvisor::manager::test;

namespace {

class InventoryContainers : public InventoryWithVm {
protected:
    std::vector<std::string> names()
    {
        std::vector<std::string> result;
        auto containers = inv().containers(m_vmId);
        for (const auto& container : containers.value())
            result.push_back(container.name);
        return result;
    }
};

} // namespace

TEST_F(InventoryContainers, UpsertInsertsThenUpdatesKeepingTheId)
{
    ContainerRecord container = sampleContainer(m_vmId, "web");
    auto id = inv().upsertContainer(container);
    ASSERT_OK(id);
    auto listed = inv().containers(m_vmId);
    ASSERT_OK(listed);
    ASSERT_EQ(listed->size(), 1u);
    container.id = *id;
    container.updatedAt = listed->front().updatedAt;
    EXPECT_GT(container.updatedAt, 0);
    EXPECT_EQ(listed->front(), container);

    container.state = ContainerState::Stopped;
    container.initPid = 0;
    container.processCount = 0;
    auto again = inv().upsertContainer(container);
    ASSERT_OK(again);
    EXPECT_EQ(*again, *id);
    ContainerRecord stored = inv().containers(m_vmId)->front();
    container.updatedAt = stored.updatedAt;
    EXPECT_EQ(stored, container);
}

TEST_F(InventoryContainers, ReplaceMakesTheListTheTruth)
{
    ASSERT_OK(inv().replaceContainers(m_vmId, {sampleContainer(0, "a"), sampleContainer(0, "b")}));
    EXPECT_EQ(names(), (std::vector<std::string>{"a", "b"}));
    std::int64_t idOfB = inv().containers(m_vmId)->back().id;

    ContainerRecord b = sampleContainer(0, "b");
    b.state = ContainerState::Stopped;
    ASSERT_OK(inv().replaceContainers(m_vmId, {b, sampleContainer(0, "c")}));
    EXPECT_EQ(names(), (std::vector<std::string>{"b", "c"}));
    ContainerRecord storedB = inv().containers(m_vmId)->front();
    EXPECT_EQ(storedB.id, idOfB);
    EXPECT_EQ(storedB.state, ContainerState::Stopped);
    EXPECT_EQ(storedB.vmId, m_vmId); // taken from the argument, not the record

    ASSERT_OK(inv().replaceContainers(m_vmId, {}));
    EXPECT_TRUE(names().empty());
}

TEST_F(InventoryContainers, ReplaceIsAllOrNothing)
{
    ASSERT_OK(inv().replaceContainers(m_vmId, {sampleContainer(0, "a"), sampleContainer(0, "b")}));
    ContainerRecord broken = sampleContainer(0, "c");
    broken.specJson = "{broken";
    Status done = inv().replaceContainers(m_vmId, {sampleContainer(0, "x"), broken});
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(names(), (std::vector<std::string>{"a", "b"}));
}

TEST_F(InventoryContainers, ReplaceRefusesDuplicatesAndUnknownVms)
{
    Status twice = inv().replaceContainers(m_vmId, {sampleContainer(0, "a"), sampleContainer(0, "a")});
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(twice.error().message,
              "inventory: container 'a' of vm " + std::to_string(m_vmId) + " is listed twice");

    Status unknown = inv().replaceContainers(9999, {});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
    EXPECT_EQ(unknown.error().message, "inventory: no vm with id 9999");
}

TEST_F(InventoryContainers, NamesAreUniquePerVm)
{
    auto host = inv().ensureHost("qemu:///system", "local");
    auto other = inv().insertVm(sampleVm(host->id, "other"));
    ASSERT_OK(other);
    ASSERT_OK(inv().upsertContainer(sampleContainer(m_vmId, "web")));
    ASSERT_OK(inv().upsertContainer(sampleContainer(*other, "web")));
    EXPECT_EQ(inv().containers(m_vmId)->size(), 1u);
    EXPECT_EQ(inv().containers(*other)->size(), 1u);

    auto orphan = inv().upsertContainer(sampleContainer(9999, "web"));
    ASSERT_FALSE(orphan);
    EXPECT_EQ(orphan.error().code, ErrorCode::NotFound);
}

TEST_F(InventoryContainers, Delete)
{
    ASSERT_OK(inv().replaceContainers(m_vmId, {sampleContainer(0, "a"), sampleContainer(0, "b")}));
    ASSERT_OK(inv().deleteContainer(m_vmId, "a"));
    EXPECT_EQ(names(), (std::vector<std::string>{"b"}));
    Status again = inv().deleteContainer(m_vmId, "a");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::NotFound);
    EXPECT_EQ(again.error().message, "inventory: no container 'a' of vm " + std::to_string(m_vmId));
}
