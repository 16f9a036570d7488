#include "ObjectText.h"

#include "TextTable.h"

#include <cstdio>
#include <ctime>

namespace pidvisor::protocol {

std::string joinArgv(const std::vector<std::string>& argv)
{
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty())
            out += ' ';
        out += a;
    }
    return out;
}

std::string formatLocalTime(std::int64_t millis)
{
    if (millis <= 0)
        return "-";
    std::time_t t = static_cast<std::time_t>(millis / 1000);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::string describeContainerState(const ContainerInfo& info)
{
    if (info.state != ContainerState::Stopped)
        return std::string(enumWord(info.state));
    if (info.checkpointedAs && !info.checkpointedAs->empty())
        return "checkpointed (" + *info.checkpointedAs + ")";
    if (!info.exit)
        return "stopped (exit unknown)";
    if (info.exit->signal)
        return "killed by signal " + std::to_string(info.exit->signal);
    return "exited " + std::to_string(info.exit->code);
}

std::string containerTable(const std::vector<ContainerInfo>& containers)
{
    TextTable table({"NAME", "STATE", "PID", "PID-SPACE", "ADDRESS", "CREATED", "COMMAND"});
    for (const auto& c : containers)
        table.addRow({c.name, describeContainerState(c), std::to_string(c.initPid), c.pidSpace,
                      c.address.value_or("-"), formatLocalTime(c.createdAt), joinArgv(c.spec.argv)});
    return table.render();
}

std::string containerDetails(const ContainerInfo& info)
{
    std::string text = "name:       " + info.name + "\n" +
                       "state:      " + describeContainerState(info) + "\n" +
                       "init pid:   " + std::to_string(info.initPid) + " (global; 1 inside)\n" +
                       "pid space:  " + info.pidSpace + " (namespace " + std::to_string(info.pidnsInode) + ")\n" +
                       "hostname:   " + info.spec.hostname.value_or(info.name) + "\n" +
                       "command:    " + joinArgv(info.spec.argv) + "\n" +
                       (info.spec.image ? "image:      " + *info.spec.image + "\n" : std::string()) +
                       "created:    " + formatLocalTime(info.createdAt) + "\n";
    if (info.processes)
        text += "processes:  " + std::to_string(*info.processes) + "\n";
    if (!info.cgroup.empty())
        text += "cgroup:     " + info.cgroup + "\n";
    if (info.spec.network) {
        const ContainerNetwork& n = *info.spec.network;
        text += "network:    " + n.address + " (" + n.mac + ")" +
                (n.libvirtNetwork ? " on " + *n.libvirtNetwork : std::string()) +
                (n.gateway ? ", gateway " + *n.gateway : std::string()) + "\n";
    } else {
        text += "network:    loopback only\n";
    }
    if (info.storage)
        text += "files:      " + (*info.storage == "memory" ? std::string("in memory (the VM has no data disk: lost when it stops)")
                                                           : "on the VM's data disk") + "\n";
    if (info.confinement) {
        const Confinement& c = *info.confinement;
        std::string caps;
        for (const auto& cap : c.capabilities)
            caps += (caps.empty() ? "" : ",") + cap;
        text += std::string("confinement: ") + (c.privileged ? "privileged" : "confined") + " (seccomp " +
                c.seccomp + ", no_new_privs " + (c.noNewPrivs ? "on" : "off") + ")\n" +
                "capabilities: " + caps + "\n";
        if (c.devices)
            text += "devices:    " +
                    (*c.devices == "default"  ? std::string("the OCI default set (eBPF device filter on its cgroup)")
                     : *c.devices == "all"    ? std::string("all (privileged)")
                     : *c.devices == "unfiltered" ? std::string("no device filter (the VM has no usable cgroup v2)")
                                              : *c.devices) +
                    "\n";
        if (c.userns && c.userns->base)
            text += "user namespace: its root is the VM's uid " + std::to_string(*c.userns->base) + " (" +
                    std::to_string(c.userns->size) + " ids from there)\n";
        else if (info.spec.userns && info.spec.userns->base)
            text += "user namespace: uids from " + std::to_string(*info.spec.userns->base) + " (when it runs)\n";
    }
    return text;
}

std::string formatBytes(std::int64_t bytes)
{
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, unit ? "%.1f %s" : "%.0f %s", value, units[unit]);
    return text;
}

std::string imageTable(const std::vector<ImageInfo>& images)
{
    TextTable table({"NAME", "DIGEST", "SIZE", "SOURCE"});
    for (const auto& i : images)
        table.addRow({i.name, i.digest.substr(0, 7 + 12), formatBytes(i.size), i.source});
    return table.render();
}

std::string imageDetails(const ImageInfo& i)
{
    const ImageConfig& c = i.config;
    std::string env;
    for (const auto& e : c.env)
        env += "\n  " + e;
    return "name:        " + i.name + "\ndigest:      " + i.digest + "\nsize:        " + formatBytes(i.size) +
           "\nsource:      " + i.source + "\nentrypoint:  " + joinArgv(c.entrypoint) + "\ncmd:         " +
           joinArgv(c.cmd) + "\nworking dir: " + c.workingDir + "\nuser:        " +
           (c.user.empty() ? "root" : c.user) +
           (c.uid ? " (uid " + std::to_string(*c.uid) + ", gid " + std::to_string(c.gid.value_or(0)) + ")" : "") +
           "\nenv:" + (env.empty() ? " -" : env) + "\n";
}

std::string processTable(const std::vector<Process>& processes)
{
    TextTable table({"VPID", "PID", "VPPID", "STATE", "COMMAND"});
    for (const auto& p : processes)
        table.addRow({std::to_string(p.vpid), std::to_string(p.pid), std::to_string(p.vppid), p.state,
                      p.cmdline.empty() ? "[" + p.comm + "]" : p.cmdline});
    return table.render();
}

std::string helloText(const HelloResult& h)
{
    const auto& caps = h.capabilities;
    std::string criuText = caps.criu ? caps.criu->version : "not installed";
    return "agent:           " + h.agentVersion + " (protocol " + std::to_string(h.protocol) +
           ")\nkernel:          " + h.kernelRelease + "\nhostname:        " + h.hostname +
           "\npid space:       " + caps.pidSpace + "\n/proc/container: " + (caps.procContainer ? "yes" : "no") +
           "\ncgroups:         " + caps.cgroups.mode + "\ncriu:            " + criuText + "\n";
}

} // namespace pidvisor::protocol
