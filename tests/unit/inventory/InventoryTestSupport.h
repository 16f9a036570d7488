// Shared by the inventory tests: a check that prints the Error when a
// Result fails, and representative records to insert.
#pragma once

#include "TestDirectory.h"

#include "inventory/Inventory.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

// ASSERT_OK(result): fails the test with the error's code and message.
#define ASSERT_OK(expr)                                                                  \
    do {                                                                                 \
        const auto& pv_result_ = (expr);                                                 \
        ASSERT_TRUE(pv_result_.has_value()) << #expr << ": " << pv_result_.error().describe(); \
    } while (0)
#define EXPECT_OK(expr)                                                                  \
    do {                                                                                 \
        const auto& pv_result_ = (expr);                                                 \
        EXPECT_TRUE(pv_result_.has_value()) << #expr << ": " << pv_result_.error().describe(); \
    } while (0)

namespace pidvisor::manager::test {

inline ImageRecord sampleImage(const std::string& id)
{
    ImageRecord image;
    image.id = id;
    image.kernelKind = "container";
    image.kernelVersion = "6.1.0";
    image.kernelRelease = "6.1.0-pidvisor";
    image.path = "/var/lib/pidvisor/images/" + id;
    image.sizeBytes = 123456789;
    image.createdAt = 1700000000000;
    image.manifestJson = R"({"packages":["busybox"]})";
    return image;
}

inline VmRecord sampleVm(std::int64_t hostId, const std::string& name)
{
    VmRecord vm;
    vm.hostId = hostId;
    vm.name = name;
    vm.uuid = "6f1c1f0e-3d57-4a59-9d44-" + std::string(12 - std::min<std::size_t>(12, name.size()), '0') + name;
    vm.state = VmState::Running;
    vm.accel = "tcg";
    vm.kernel = "container";
    vm.memoryMiB = 1024;
    vm.vcpus = 2;
    vm.dataDisk = "/var/lib/pidvisor/vms/" + name + "/data.qcow2";
    vm.consoleLog = "/var/lib/pidvisor/vms/" + name + "/console.log";
    vm.createdAt = 1700000001000;
    vm.bootToReadyMs = 2345;
    vm.agentVersion = "0.1.0";
    vm.kernelRelease = "6.1.0-pidvisor";
    return vm;
}

inline ContainerRecord sampleContainer(std::int64_t vmId, const std::string& name)
{
    ContainerRecord container;
    container.vmId = vmId;
    container.name = name;
    container.state = ContainerState::Running;
    container.initPid = 42;
    container.specJson = R"({"argv":["/bin/sh"]})";
    container.processCount = 3;
    return container;
}

inline CheckpointRecord sampleCheckpoint(const std::string& id, std::optional<std::int64_t> vmId)
{
    CheckpointRecord checkpoint;
    checkpoint.id = id;
    checkpoint.vmId = vmId;
    checkpoint.vmName = "demo";
    checkpoint.containerName = "web";
    checkpoint.tag = "before-upgrade";
    checkpoint.createdAt = 1700000002000;
    checkpoint.path = "/var/lib/pidvisor/checkpoints/" + id;
    checkpoint.sizeBytes = 4096;
    checkpoint.sha256 = std::string(64, 'a');
    checkpoint.processes = {{1, 0, 1, 1, 2, 4242, "sh"}, {7, 1, 1, 1, 1, 4250, "sleep"}};
    checkpoint.kernelRelease = "6.1.0-pidvisor";
    checkpoint.criuVersion = "3.17.1";
    checkpoint.durations.dumpMs = 120;
    checkpoint.durations.hashMs = 4;
    checkpoint.durations.transferMs = 30;
    checkpoint.durations.transferBytes = 4096;
    checkpoint.durations.totalMs = 170;
    checkpoint.durations.criu = {{"frozen_time_us", 900}, {"pages_written", 12}};
    checkpoint.status = "complete";
    return checkpoint;
}

// An image whose digest is 64 times `hexDigit`.
inline ContainerImageRecord sampleContainerImage(const std::string& name, char hexDigit, std::int64_t id = 0)
{
    ContainerImageRecord image;
    image.id = id;
    image.info.name = name;
    image.info.digest = "sha256:" + std::string(64, hexDigit);
    image.info.source = "debian:13 redis-server";
    image.info.size = 52428800;
    image.info.config.entrypoint = {"/usr/bin/redis-server"};
    image.info.config.cmd = {"--port", "6379"};
    image.info.config.env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"};
    image.info.config.workingDir = "/var/lib/redis";
    image.info.config.user = "redis";
    image.info.config.uid = 100;
    image.info.config.gid = 101;
    image.volumeFile = "/var/lib/pidvisor/images/" + std::string(64, hexDigit) + ".erofs";
    image.volumeBytes = 20971520;
    image.createdAt = 1700000003000;
    return image;
}

// An in-memory inventory with one host ("qemu:///system").
class InMemoryInventory : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto opened = Inventory::open(":memory:");
        ASSERT_OK(opened);
        m_inventory.emplace(std::move(*opened));
        auto host = inv().ensureHost("qemu:///system", "local");
        ASSERT_OK(host);
        m_hostId = host->id;
    }

    Inventory& inv() { return *m_inventory; }

    std::optional<Inventory> m_inventory;
    std::int64_t m_hostId = 0;
};

// The same with one VM ("demo") on that host.
class InventoryWithVm : public InMemoryInventory {
protected:
    void SetUp() override
    {
        InMemoryInventory::SetUp();
        if (HasFatalFailure())
            return;
        auto vm = inv().insertVm(sampleVm(m_hostId, "demo"));
        ASSERT_OK(vm);
        m_vmId = *vm;
    }

    std::int64_t m_vmId = 0;
};

} // namespace pidvisor::manager::test
