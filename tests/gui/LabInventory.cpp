// GuiTestSupport: fillLab(), a small but realistic inventory.
#include "GuiTestSupport.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <stdexcept>

namespace pidvisor::gui::test {

using namespace pidvisor::manager;
using nlohmann::json;

namespace {

template <class T>
T must(Result<T> r)
{
    if (!r)
        throw std::runtime_error(r.error().describe());
    return std::move(*r);
}

void must(Status s)
{
    if (!s)
        throw std::runtime_error(s.error().describe());
}

struct VmSeed {
    const char* name;
    VmState state;
    const char* accel;
    std::int64_t memory;
    int vcpus;
    std::int64_t bootMs;
};

ContainerRecord container(const char* name, ContainerState state, std::int64_t pid, json spec, std::int64_t procs)
{
    ContainerRecord c;
    c.name = name;
    c.state = state;
    c.initPid = pid;
    spec["name"] = name;
    c.specJson = spec.dump();
    c.processCount = procs;
    return c;
}

} // namespace

void fillLab(Inventory& inv)
{
    std::int64_t now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    HostRecord local = must(inv.ensureHost("qemu:///system", "workstation"));
    HostRecord rack = must(inv.ensureHost("qemu+ssh://root@rack2/system", "rack2"));
    const VmSeed seeds[] = {{"web-1", VmState::Running, "kvm", 1024, 2, 2380},
                            {"db-1", VmState::Running, "kvm", 2048, 2, 2710},
                            {"batch", VmState::Running, "tcg", 512, 1, 9840},
                            {"build", VmState::ShutOff, "tcg", 768, 2, 11200},
                            {"edge-a", VmState::Running, "kvm", 512, 1, 3120},
                            {"edge-b", VmState::Running, "kvm", 512, 1, 3350}};
    std::vector<std::int64_t> ids;
    int i = 0;
    for (const auto& s : seeds) {
        VmRecord vm;
        vm.hostId = i < 4 ? local.id : rack.id;
        vm.name = s.name;
        vm.state = s.state;
        vm.accel = s.accel;
        vm.kernel = i == 2 ? "container" : "stock";
        vm.kernelRelease = i == 2 ? "6.12.57-pidvisor" : "6.12.57+deb13-amd64";
        vm.memoryMiB = s.memory;
        vm.vcpus = s.vcpus;
        vm.bootToReadyMs = s.bootMs;
        vm.agentVersion = "0.1.0";
        vm.consoleLog = "/var/lib/pidvisor/pool/" + std::string(s.name) + "-console.log";
        vm.createdAt = now - (6 - i) * 3600000;
        ids.push_back(must(inv.insertVm(vm)));
        ++i;
    }
    json sh{{"argv", {"/bin/sh", "-c", "while sleep 1; do date; done"}}, {"hostname", "web"}};
    must(inv.replaceContainers(ids[0], {container("nginx", ContainerState::Running, 412, {{"argv", {"/usr/sbin/nginx", "-g", "daemon off;"}}, {"memory_mib", 256}}, 3),
                                        container("ticker", ContainerState::Running, 530, sh, 2)}));
    must(inv.replaceContainers(ids[1], {container("postgres", ContainerState::Running, 388, {{"argv", {"/usr/lib/postgresql/15/bin/postgres", "-D", "/data"}}, {"memory_mib", 1024}, {"init", true}}, 7)}));
    must(inv.replaceContainers(ids[2], {container("job-17", ContainerState::Running, 233, {{"argv", {"/opt/batch/run", "--shard", "17"}}, {"pids_max", 64}}, 4),
                                        container("job-16", ContainerState::Stopped, 0, {{"argv", {"/opt/batch/run", "--shard", "16"}}}, 0)}));
    must(inv.replaceContainers(ids[4], {container("proxy", ContainerState::Running, 301, {{"argv", {"/usr/bin/haproxy", "-f", "/etc/haproxy.cfg"}}}, 2)}));
    const char* tags[] = {"nightly", "", "before-upgrade", "nightly", "", "migrate", "nightly", ""};
    for (int k = 0; k < 8; ++k) {
        CheckpointRecord cp;
        cp.id = "7f3c" + std::to_string(10 + k) + "e2-51a9-4c1d-9b7e-" + std::to_string(100000000000 + k * 7919);
        cp.vmId = ids[static_cast<std::size_t>(k % 3)];
        cp.vmName = seeds[k % 3].name;
        cp.containerName = k % 3 == 0 ? "nginx" : k % 3 == 1 ? "postgres" : "job-17";
        cp.tag = tags[k];
        cp.createdAt = now - (8 - k) * 2700000;
        cp.path = "/var/lib/pidvisor/checkpoints/" + cp.id;
        cp.sizeBytes = (k % 3 == 1 ? 96 : 18) * 1024 * 1024 + k * 2300000;
        cp.sha256 = "9c1185a5c5e9fc54612808977ee8f548b2258d31a1f0b5c7e0b4b4ea23c0a7" + std::to_string(10 + k);
        const std::vector<std::int64_t> vmPids = k % 3 == 1 ? std::vector<std::int64_t>{388, 391, 392, 395, 396, 401, 402}
                                                            : std::vector<std::int64_t>{412, 418, 419};
        for (std::size_t p = 0; p < vmPids.size(); ++p)
            cp.processes.push_back({static_cast<std::int64_t>(p + 1), p == 0 ? 0 : 1, 1, 1, 1, vmPids[p],
                                    p == 0 ? "init" : "worker"});
        cp.kernelRelease = "6.12.57+deb13-amd64";
        cp.criuVersion = "4.1.1";
        cp.durations.dumpMs = 280 + 90 * (k % 3) + 15 * k;
        cp.durations.hashMs = 35;
        cp.durations.transferMs = 120 + 40 * (k % 3);
        must(inv.insertCheckpoint(cp));
    }
}

} // namespace pidvisor::gui::test
