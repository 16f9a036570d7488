#include "InventoryText.h"

#include "Format.h"

#include "core/States.h"

namespace pidvisor::gui {

using format::text;
namespace Col = InventoryColumn;

namespace {
bool running(const ContainerInfo& c)
{
    return c.record.state == manager::ContainerState::Running;
}
} // namespace

QString InventoryText::header(int column)
{
    static const char* names[] = {"Name", "State", "Accel", "Kernel", "Memory", "Boot to ready", "VPID", "PID",
                                  "Parent", "Address", "MAC", "Command"};
    return column >= 0 && column < Col::Count ? names[column] : QString();
}

QString InventoryText::state(const InventoryNode& n)
{
    switch (n.kind) {
    case NodeKind::Host:
        switch (n.host().link) {
        case HostInfo::Link::Connected: return "connected";
        case HostInfo::Link::Connecting: return "connecting";
        case HostInfo::Link::Unreachable: return "unreachable";
        case HostInfo::Link::Offline: return "offline";
        }
        return {};
    case NodeKind::Vm: {
        const VmInfo& v = n.vm();
        if (v.record.missing)
            return "missing";
        return text(manager::vmStateText(v.record.state));
    }
    case NodeKind::Container: return text(manager::containerStateText(n.container().record.state));
    case NodeKind::Process: return format::processState(n.process().state);
    case NodeKind::Root: return {};
    }
    return {};
}

format::Tone InventoryText::tone(const InventoryNode& n)
{
    switch (n.kind) {
    case NodeKind::Host:
        switch (n.host().link) {
        case HostInfo::Link::Connected: return format::Tone::Good;
        case HostInfo::Link::Connecting: return format::Tone::Pending;
        case HostInfo::Link::Unreachable: return format::Tone::Trouble;
        case HostInfo::Link::Offline: return format::Tone::Idle;
        }
        return format::Tone::Pending;
    case NodeKind::Vm:
        return n.vm().record.missing ? format::Tone::Trouble : format::tone(n.vm().record.state);
    case NodeKind::Container: return format::tone(n.container().record.state);
    case NodeKind::Process:
    case NodeKind::Root: return format::Tone::Pending; // drawn without a dot
    }
    return format::Tone::Pending;
}

bool InventoryText::dimmed(const InventoryNode& n)
{
    switch (n.kind) {
    case NodeKind::Host: return n.host().link == HostInfo::Link::Offline;
    case NodeKind::Vm: return n.vm().record.missing || n.vm().record.state == manager::VmState::ShutOff;
    case NodeKind::Container: return n.container().record.state == manager::ContainerState::Stopped;
    case NodeKind::Process:
    case NodeKind::Root: return false;
    }
    return false;
}

QString InventoryText::hostText(const HostInfo& h, int column)
{
    switch (column) {
    case Col::Name: return h.record.name.empty() || h.record.name == h.record.uri
                               ? text(h.record.uri)
                               : text(h.record.name) + "  (" + text(h.record.uri) + ")";
    case Col::Kernel: return h.hypervisorVersion.empty() ? QString() : "QEMU " + text(h.hypervisorVersion);
    case Col::Command: return h.libvirtVersion.empty() ? text(h.error) : "libvirt " + text(h.libvirtVersion);
    default: return {};
    }
}

QString InventoryText::vmText(const VmInfo& v, int column)
{
    const auto& r = v.record;
    switch (column) {
    case Col::Name: return text(r.name);
    case Col::Accel: return text(r.accel).toUpper();
    case Col::Kernel: return r.kernelRelease.empty() ? text(r.kernel) : text(r.kernel) + " " + text(r.kernelRelease);
    case Col::Memory: return format::bytes(r.memoryMiB << 20) + " · " + QString::number(r.vcpus) + " vCPU";
    case Col::BootToReady: return r.bootToReadyMs ? format::millis(*r.bootToReadyMs) : QString();
    case Col::Address:
        return v.network && !v.network->addresses.empty()
                   ? text(v.network->addresses.front().substr(0, v.network->addresses.front().find('/')))
                   : QString();
    case Col::Mac: return v.network ? text(v.network->mac) : QString();
    case Col::Command:
        if (v.busy)
            return "operation in progress";
        return v.agent.state == AgentStatus::State::Connected ? "agent " + text(v.agent.agentVersion)
               : v.agent.state == AgentStatus::State::Unreachable ? "agent unreachable"
                                                                  : QString();
    default: return {};
    }
}

QString InventoryText::containerText(const ContainerInfo& c, int column)
{
    switch (column) {
    case Col::Name: return text(c.record.name);
    case Col::Memory: return c.memoryMiB ? "≤ " + format::bytes(*c.memoryMiB << 20) : QString();
    case Col::Vpid: return running(c) ? QString("1") : QString();
    case Col::Pid: return c.record.initPid > 0 && running(c) ? QString::number(c.record.initPid) : QString();
    case Col::Address: return c.address.empty() ? QString("loopback only") : text(c.address);
    case Col::Mac: return text(c.mac);
    case Col::Command: return text(c.command);
    default: return {};
    }
}

QString InventoryText::processText(const ProcessInfo& p, int column)
{
    switch (column) {
    case Col::Name: return text(p.comm);
    case Col::Vpid: return QString::number(p.vpid);
    case Col::Pid: return QString::number(p.pid);
    case Col::Parent: return p.vppid > 0 ? QString::number(p.vppid) : QString("—");
    case Col::Command: return text(p.cmdline);
    default: return {};
    }
}

QString InventoryText::display(const InventoryNode& n, int column)
{
    if (column == Col::State)
        return state(n);
    switch (n.kind) {
    case NodeKind::Host: return hostText(n.host(), column);
    case NodeKind::Vm: return vmText(n.vm(), column);
    case NodeKind::Container: return containerText(n.container(), column);
    case NodeKind::Process: return processText(n.process(), column);
    case NodeKind::Root: return {};
    }
    return {};
}

QVariant InventoryText::sortValue(const InventoryNode& n, int column)
{
    if (n.kind == NodeKind::Vm) {
        const auto& r = n.vm().record;
        if (column == Col::Memory)
            return qlonglong(r.memoryMiB);
        if (column == Col::BootToReady)
            return qlonglong(r.bootToReadyMs.value_or(-1));
    }
    if (n.kind == NodeKind::Container) {
        const auto& c = n.container();
        if (column == Col::Memory)
            return qlonglong(c.memoryMiB.value_or(-1));
        if (column == Col::Pid)
            return qlonglong(c.record.initPid);
        if (column == Col::Vpid)
            return qlonglong(1);
    }
    if (n.kind == NodeKind::Process) {
        const auto& p = n.process();
        if (column == Col::Vpid)
            return qlonglong(p.vpid);
        if (column == Col::Pid)
            return qlonglong(p.pid);
        if (column == Col::Parent)
            return qlonglong(p.vppid);
    }
    return display(n, column);
}

QString InventoryText::toolTip(const InventoryNode& n)
{
    switch (n.kind) {
    case NodeKind::Host:
        return n.host().error.empty() ? text(n.host().record.uri) : text(n.host().error);
    case NodeKind::Vm: {
        const VmInfo& v = n.vm();
        QString tip = text(v.record.name) + " — " + state(n);
        if (!v.agent.error.empty())
            tip += "\nagent: " + text(v.agent.error);
        return tip;
    }
    case NodeKind::Container:
        return text(n.container().command);
    case NodeKind::Process:
        return QString("vpid %1 in the container, pid %2 in the VM\n%3")
            .arg(n.process().vpid)
            .arg(n.process().pid)
            .arg(text(n.process().cmdline));
    case NodeKind::Root: return {};
    }
    return {};
}

bool InventoryText::sameRow(NodeKind kind, const void* a, const void* b)
{
    switch (kind) {
    case NodeKind::Host: {
        const auto& x = *static_cast<const HostInfo*>(a);
        const auto& y = *static_cast<const HostInfo*>(b);
        return x.record == y.record && x.link == y.link && x.error == y.error &&
               x.libvirtVersion == y.libvirtVersion && x.hypervisorVersion == y.hypervisorVersion;
    }
    case NodeKind::Vm: {
        const auto& x = *static_cast<const VmInfo*>(a);
        const auto& y = *static_cast<const VmInfo*>(b);
        const auto &r = x.record, &s = y.record;
        return r.name == s.name && r.state == s.state && r.missing == s.missing && r.accel == s.accel &&
               r.kernel == s.kernel && r.kernelRelease == s.kernelRelease && r.memoryMiB == s.memoryMiB &&
               r.vcpus == s.vcpus && r.bootToReadyMs == s.bootToReadyMs && r.agentVersion == s.agentVersion &&
               x.busy == y.busy && x.agent.state == y.agent.state && x.agent.agentVersion == y.agent.agentVersion &&
               x.agent.error == y.agent.error;
    }
    case NodeKind::Container: {
        const auto& x = *static_cast<const ContainerInfo*>(a);
        const auto& y = *static_cast<const ContainerInfo*>(b);
        return x.record.name == y.record.name && x.record.state == y.record.state &&
               x.record.initPid == y.record.initPid && x.record.specJson == y.record.specJson && x.live == y.live;
    }
    case NodeKind::Process:
        return *static_cast<const ProcessInfo*>(a) == *static_cast<const ProcessInfo*>(b);
    case NodeKind::Root: return true;
    }
    return true;
}

} // namespace pidvisor::gui
