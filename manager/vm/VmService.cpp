#include "VmService.h"

#include "core/OperationScope.h"
#include "libvirt/ImagePool.h"
#include "libvirt/Networks.h"

#include "protocol/Names.h"

#include <atomic>
#include <ctime>
#include <thread>

namespace pidvisor::manager {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::int64_t unixMillis()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string isoNow()
{
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

VmService::VmService(Inventory& inventory, Connection& connection, Paths paths, AgentTransportMode mode)
    : m_inventory(inventory), m_conn(connection), m_paths(std::move(paths)), m_mode(mode)
{
}

VmService::~VmService() = default;

Result<std::int64_t> VmService::hostId()
{
    if (!m_hostId) {
        PV_TRY(HostRecord host, m_inventory.ensureHost(m_conn.uri(), m_conn.hostname()));
        m_hostId = host.id;
    }
    return *m_hostId;
}

Result<VmRecord> VmService::record(const std::string& name)
{
    PV_TRY(std::int64_t host, hostId());
    PV_TRY(auto vm, m_inventory.findVm(host, name));
    if (!vm)
        return fail(ErrorCode::NotFound, "no VM named '" + name + "' in the inventory for " + m_conn.uri());
    return *vm;
}

Result<AccelChoice> VmService::pickAccel(const std::string& requested) const
{
    if (m_conn.isLocal() || requested != "auto")
        return chooseAccel(requested, probeAccel());
    // A remote host: ask its libvirt whether it offers KVM.
    LibvirtString caps(virConnectGetCapabilities(m_conn.raw()));
    bool kvm = caps && std::string(caps.get()).find("<domain type='kvm'") != std::string::npos;
    virResetLastError();
    if (kvm)
        return AccelChoice{"kvm", "kvm", "KVM: the remote host's libvirt offers it"};
    return AccelChoice{"tcg", "qemu", "TCG: the remote host's libvirt offers no KVM"};
}

Result<GuestImage> VmService::buildImage(const std::string& kernel, const ProgressFn& progress)
{
    return buildAndRecordImage(m_inventory, m_paths, kernel, progress);
}

Result<VmView> VmService::create(const VmCreateOptions& o, const ProgressFn& progress)
{
    OperationScope op(m_inventory, "vm.create", o.name,
                      {{"memory_mib", o.memoryMiB}, {"vcpus", o.vcpus}, {"kernel", o.kernel}, {"accel", o.accel}});
    auto result = [&]() -> Result<VmView> {
        PV_TRY_STATUS(protocol::validateName("VM name", o.name));
        if (o.memoryMiB < 128 || o.memoryMiB > 1 << 20)
            return fail(ErrorCode::InvalidArgument, "memory of " + std::to_string(o.memoryMiB) +
                                                        " MiB is out of range (128 to 1048576)");
        if (o.vcpus < 1 || o.vcpus > 64)
            return fail(ErrorCode::InvalidArgument, std::to_string(o.vcpus) + " vCPUs is out of range (1 to 64)");
        if (o.diskMiB != 0 && o.diskMiB < 16)
            return fail(ErrorCode::InvalidArgument, "a data disk needs at least 16 MiB");
        PV_TRY(std::int64_t host, hostId());
        PV_TRY(auto existing, m_inventory.findVm(host, o.name));
        if (existing)
            return fail(ErrorCode::AlreadyExists, "VM '" + o.name + "' already exists");
        if (m_conn.lookup(o.name))
            return fail(ErrorCode::AlreadyExists, "a domain named '" + o.name + "' already exists on " + m_conn.uri());
        PV_TRY(AccelChoice accel, pickAccel(o.accel));
        if (accel.accel == "tcg" && o.vcpus > 1)
            return fail(ErrorCode::FailedPrecondition,
                        "QEMU's multi-threaded TCG crashes SMP guests when their kernel patches its code; "
                        "use --cpus 1 under TCG (or KVM)");
        report(progress, "acceleration: " + accel.reason);
        op.addDetail("accel_chosen", accel.accel);
        NetworkSettings netSettings = NetworkSettings::fromEnvironment();
        std::string network = o.network.empty() ? netSettings.name : o.network;
        if (network == "none")
            network.clear();
        if (!network.empty()) {
            report(progress, "network " + network);
            PV_TRY_STATUS(ensureNetwork(m_conn, network, netSettings));
        }
        op.addDetail("network", network.empty() ? "none" : network);
        PV_TRY(GuestImage image, buildImage(o.kernel, progress));
        PV_TRY(VmRecord vm, defineVm(o, image, accel, network, progress));
        PV_TRY_STATUS(boot(vm, o.bootTimeout, progress));
        if (vm.bootToReadyMs)
            op.addDetail("boot_to_ready_ms", *vm.bootToReadyMs);
        return VmView{vm, m_conn.uri()};
    }();
    return op.finish(std::move(result));
}

Result<VmRecord> VmService::defineVm(const VmCreateOptions& o, const GuestImage& image, const AccelChoice& accel,
                                     const std::string& network, const ProgressFn& progress)
{
    ImagePool pool(m_conn);
    PV_TRY(std::string kernelPath, pool.ensureFile("image-" + image.id + "-kernel", image.kernelPath, progress));
    PV_TRY(std::string initrdPath, pool.ensureFile("image-" + image.id + "-initrd", image.initrdPath, progress));
    std::string disk;
    if (o.diskMiB > 0) {
        PV_TRY(disk, pool.createDisk(o.name + "-data.qcow2", o.diskMiB));
    }

    VmRecord vm;
    PV_TRY(vm.hostId, hostId());
    vm.name = o.name;
    vm.state = VmState::ShutOff;
    vm.accel = accel.accel;
    vm.kernel = o.kernel;
    vm.imageId = image.id;
    vm.memoryMiB = o.memoryMiB;
    vm.vcpus = o.vcpus;
    vm.dataDisk = disk;
    vm.consoleLog = pool.directory() + "/" + o.name + "-console.log";
    vm.kernelRelease = image.kernelRelease;
    vm.createdAt = unixMillis();
    auto id = m_inventory.insertVm(vm);
    if (!id) {
        if (!disk.empty())
            (void)pool.remove(o.name + "-data.qcow2");
        return fail(id.error());
    }
    vm.id = *id;

    VmSpec spec;
    spec.name = o.name;
    spec.domainType = accel.domainType;
    spec.accel = accel.accel;
    spec.memoryMiB = o.memoryMiB;
    spec.vcpus = o.vcpus;
    spec.kernelPath = kernelPath;
    spec.initrdPath = initrdPath;
    spec.cmdline = image.cmdline + " pidvisor.hostname=" + o.name;
    spec.consoleLogPath = vm.consoleLog;
    spec.dataDiskPath = disk;
    spec.network = network;
    spec.inventoryId = vm.id;
    spec.imageId = image.id;
    spec.kernel = o.kernel;
    spec.created = isoNow();
    spec.owner = ownerTag();
    report(progress, "defining the VM");
    auto dom = m_conn.define(buildDomainXml(spec));
    if (!dom) {
        (void)m_inventory.deleteVm(vm.id);
        if (!disk.empty())
            (void)pool.remove(o.name + "-data.qcow2");
        return fail(dom.error());
    }
    char uuid[VIR_UUID_STRING_BUFLEN] = {};
    virDomainGetUUIDString(dom->get(), uuid);
    vm.uuid = uuid;
    PV_TRY_STATUS(m_inventory.updateVm(vm));
    return vm;
}

std::string VmService::consoleHint(const VmRecord& vm) const
{
    return "console log: " + vm.consoleLog;
}

Status VmService::boot(VmRecord& vm, std::chrono::seconds timeout, const ProgressFn& progress)
{
    PV_TRY(DomainPtr dom, m_conn.lookup(vm.name));
    forgetAgent(vm.name);
    report(progress, "booting", -1, vm.accel);
    auto started = Clock::now();
    PV_TRY_STATUS(m_conn.start(dom.get()));
    vm.state = VmState::Running;
    (void)m_inventory.updateVm(vm);
    auto client = std::make_shared<AgentClient>(vm.name, transportFor(vm.name));
    // A boot under TCG takes seconds: say how many while waiting.
    std::atomic<bool> booted{false};
    std::thread ticker([&] {
        for (int s = 1; !booted; ++s) {
            for (int i = 0; i < 10 && !booted; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (!booted)
                report(progress, "booting", -1, vm.accel + ", " + std::to_string(s) + " s");
        }
    });
    auto connected = client->connect(timeout, consoleHint(vm));
    booted = true;
    ticker.join();
    PV_TRY_STATUS(connected);
    vm.bootToReadyMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    protocol::HelloResult hello = client->agentHello();
    vm.agentVersion = hello.agentVersion;
    if (!hello.kernelRelease.empty())
        vm.kernelRelease = hello.kernelRelease;
    {
        std::lock_guard lock(m_agentsMutex);
        m_agents[vm.name] = client;
    }
    report(progress, "ready", 100, std::to_string(*vm.bootToReadyMs) + " ms");
    return m_inventory.updateVm(vm);
}

Status VmService::start(const std::string& name, std::chrono::seconds bootTimeout, const ProgressFn& progress)
{
    OperationScope op(m_inventory, "vm.start", name);
    auto result = [&]() -> Status {
        PV_TRY(VmRecord vm, record(name));
        PV_TRY(DomainPtr dom, m_conn.lookup(name));
        PV_TRY(VmState state, m_conn.state(dom.get()));
        if (state == VmState::Running)
            return fail(ErrorCode::FailedPrecondition, "VM '" + name + "' is already running");
        return boot(vm, bootTimeout, progress);
    }();
    return op.finish(std::move(result));
}

Result<std::string> VmService::stop(const std::string& name, std::chrono::seconds timeout)
{
    OperationScope op(m_inventory, "vm.stop", name);
    auto result = [&]() -> Result<std::string> {
        PV_TRY(VmRecord vm, record(name));
        PV_TRY(DomainPtr dom, m_conn.lookup(name));
        auto waitOff = [&](std::chrono::milliseconds limit) {
            auto until = Clock::now() + limit;
            while (Clock::now() < until) {
                if (m_conn.state(dom.get()).value_or(VmState::NoState) == VmState::ShutOff)
                    return true;
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
            return false;
        };
        if (m_conn.state(dom.get()).value_or(VmState::NoState) != VmState::Running)
            return std::string("already stopped");
        std::string how;
        auto half = std::chrono::duration_cast<std::chrono::milliseconds>(timeout) / 2;
        if (auto client = agent(name, std::chrono::seconds(3))) {
            // Unanswered by design: the VM goes down under the request.
            protocol::GuestExecArgs poweroff;
            poweroff.argv = {"poweroff"};
            (void)(*client)->guestExec(poweroff, CallOptions{std::chrono::seconds(2), {}, {}, {}});
            if (waitOff(half))
                how = "powered off by its agent";
        }
        if (how.empty() && m_conn.shutdown(dom.get()) && waitOff(half))
            how = "ACPI shutdown";
        if (how.empty()) {
            PV_TRY_STATUS(m_conn.destroy(dom.get()));
            how = "destroyed after " + std::to_string(timeout.count()) + " s without a clean shutdown";
        }
        forgetAgent(name);
        vm.state = VmState::ShutOff;
        PV_TRY_STATUS(m_inventory.updateVm(vm));
        return how;
    }();
    return op.finish(std::move(result));
}

Status VmService::destroy(const std::string& name)
{
    OperationScope op(m_inventory, "vm.destroy", name);
    auto result = [&]() -> Status {
        PV_TRY(VmRecord vm, record(name));
        PV_TRY(DomainPtr dom, m_conn.lookup(name));
        forgetAgent(name);
        if (m_conn.state(dom.get()).value_or(VmState::NoState) != VmState::ShutOff)
            PV_TRY_STATUS(m_conn.destroy(dom.get()));
        return m_inventory.setVmState(vm.id, VmState::ShutOff);
    }();
    return op.finish(std::move(result));
}

Status VmService::remove(const std::string& name, bool force)
{
    OperationScope op(m_inventory, "vm.rm", name);
    auto result = [&]() -> Status {
        PV_TRY(VmRecord vm, record(name));
        forgetAgent(name);
        if (auto dom = m_conn.lookup(name)) {
            if (m_conn.state(dom->get()).value_or(VmState::NoState) != VmState::ShutOff) {
                if (!force)
                    return fail(ErrorCode::FailedPrecondition,
                                "VM '" + name + "' is running; stop it first or force the removal");
                PV_TRY_STATUS(m_conn.destroy(dom->get()));
            }
            PV_TRY_STATUS(m_conn.undefine(dom->get()));
        } else if (dom.error().code != ErrorCode::NotFound) {
            return fail(dom.error());
        }
        ImagePool pool(m_conn);
        if (!vm.dataDisk.empty())
            (void)pool.remove(name + "-data.qcow2");
        (void)pool.remove(name + "-console.log");
        return m_inventory.deleteVm(vm.id);
    }();
    return op.finish(std::move(result));
}

} // namespace pidvisor::manager
