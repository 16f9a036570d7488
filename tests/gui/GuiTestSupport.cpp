#include "GuiTestSupport.h"

#include <QDir>

#include <nlohmann/json.hpp>

#include <chrono>

namespace pidvisor::gui::test {

using namespace pidvisor::manager;
using nlohmann::json;

namespace {

std::int64_t now()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

ContainerInfo makeContainer(int v, int c, int processes)
{
    ContainerInfo info;
    info.record.id = v * 1000 + c + 1;
    info.record.vmId = v + 1;
    info.record.name = "ct" + std::to_string(c);
    info.record.state = c % 5 == 4 ? manager::ContainerState::Stopped : manager::ContainerState::Running;
    info.record.initPid = 1000 * (v + 1) + 1;
    info.record.specJson = json{{"argv", {"/bin/sh", "-c", "sleep 1000"}}}.dump();
    info.command = "/bin/sh -c 'sleep 1000'";
    info.live = processes > 0;
    for (int p = 1; p <= processes; ++p)
        info.processes.push_back(ProcessInfo{p, 1000 * (v + 1) + p, p == 1 ? 0 : 1, p == 1 ? "sh" : "sleep", "S",
                                             p == 1 ? "/bin/sh -c sleep 1000" : "sleep 1000"});
    return info;
}

} // namespace

std::shared_ptr<InventorySnapshot> makeSnapshot(const SyntheticShape& shape)
{
    auto s = std::make_shared<InventorySnapshot>();
    s->takenAt = now();
    int vmIndex = 0;
    for (int h = 0; h < shape.hosts; ++h) {
        HostInfo host;
        host.record.id = h + 1;
        host.record.uri = "qemu+test://host" + std::to_string(h) + "/system";
        host.record.name = "host" + std::to_string(h);
        host.link = HostInfo::Link::Connected;
        host.libvirtVersion = "9.0.0";
        host.hypervisorVersion = "7.2.0";
        for (int v = 0; v < shape.vms; ++v, ++vmIndex) {
            VmInfo vm;
            vm.record.id = vmIndex + 1;
            vm.record.hostId = host.record.id;
            vm.record.name = "vm" + std::to_string(v);
            vm.record.state = v % 7 == 6 ? manager::VmState::ShutOff : manager::VmState::Running;
            vm.record.accel = "tcg";
            vm.record.memoryMiB = 512 + 128 * (v % 4);
            vm.record.bootToReadyMs = 3000 + 37 * v;
            vm.record.kernelRelease = "6.12.57+deb13-amd64";
            vm.agent.state = AgentStatus::State::Connected;
            vm.agent.agentVersion = "0.1.0";
            int processes = v < shape.vmsWithProcesses ? shape.processesPerContainer : 0;
            for (int c = 0; c < shape.containersPerVm; ++c)
                vm.containers.push_back(makeContainer(vmIndex, c, processes));
            host.vms.push_back(std::move(vm));
        }
        s->hosts.push_back(std::move(host));
    }
    for (int i = 0; i < shape.checkpoints; ++i) {
        CheckpointRecord cp;
        cp.id = "cp" + std::to_string(1000 + i) + "-0000-4000-8000-000000000000";
        cp.vmId = 1;
        cp.vmName = "vm0";
        cp.containerName = "ct0";
        cp.createdAt = s->takenAt - (shape.checkpoints - i) * 60000;
        cp.sizeBytes = (i + 1) * 3 * 1024 * 1024;
        cp.durations.dumpMs = 300 + 20 * i;
        cp.durations.transferMs = 100 + 5 * i;
        cp.processes = {{1, 0, 1, 1, 1, 1001, "sh"}, {2, 1, 1, 1, 1, 1002, "sleep"}};
        s->checkpoints.push_back(cp);
    }
    return s;
}

std::shared_ptr<InventorySnapshot> withVmState(const InventorySnapshot& s, int host, int vm, manager::VmState state)
{
    auto copy = std::make_shared<InventorySnapshot>(s);
    copy->hosts[static_cast<std::size_t>(host)].vms[static_cast<std::size_t>(vm)].record.state = state;
    return copy;
}

QString scratchDir(const QString& name)
{
    QString dir = QString(PIDVISOR_GUI_TEST_DIR) + "/" + name;
    QDir(dir).removeRecursively();
    QDir().mkpath(dir);
    return dir;
}

} // namespace pidvisor::gui::test
