#include "ObjectText.h"

#include "TextTable.h"

#include <ctime>

namespace pidvisor::protocol {

using nlohmann::json;

std::string joinArgv(const json& argv)
{
    std::string out;
    if (!argv.is_array())
        return out;
    for (const auto& a : argv) {
        if (!out.empty())
            out += ' ';
        out += a.is_string() ? a.get<std::string>() : a.dump();
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

std::string describeContainerState(const json& info)
{
    std::string state = info.value("state", "");
    if (state != "stopped")
        return state;
    if (!info.value("checkpointed_as", "").empty())
        return "checkpointed (" + info.value("checkpointed_as", "") + ")";
    if (!info.contains("exit") || info["exit"].is_null())
        return "stopped (exit unknown)";
    int signal = info["exit"].value("signal", 0);
    if (signal)
        return "killed by signal " + std::to_string(signal);
    return "exited " + std::to_string(info["exit"].value("code", 0));
}

std::string containerTable(const json& containers)
{
    TextTable table({"NAME", "STATE", "PID", "PID-SPACE", "CREATED", "COMMAND"});
    for (const auto& c : containers)
        table.addRow({c.value("name", ""), describeContainerState(c), std::to_string(c.value("init_pid", 0)),
                      c.value("pid_space", ""), formatLocalTime(c.value("created_at", std::int64_t{0})),
                      joinArgv(c.value("spec", json::object()).value("argv", json::array()))});
    return table.render();
}

std::string containerDetails(const json& info)
{
    json spec = info.value("spec", json::object());
    std::string text = "name:       " + info.value("name", "") + "\n" +
                       "state:      " + describeContainerState(info) + "\n" +
                       "init pid:   " + std::to_string(info.value("init_pid", 0)) + " (global; 1 inside)\n" +
                       "pid space:  " + info.value("pid_space", "") + " (namespace " +
                       std::to_string(info.value("pidns_inode", std::uint64_t{0})) + ")\n" +
                       "hostname:   " + spec.value("hostname", "") + "\n" +
                       "command:    " + joinArgv(spec.value("argv", json::array())) + "\n" +
                       "created:    " + formatLocalTime(info.value("created_at", std::int64_t{0})) + "\n";
    if (info.contains("processes"))
        text += "processes:  " + std::to_string(info["processes"].get<int>()) + "\n";
    if (!info.value("cgroup", "").empty())
        text += "cgroup:     " + info.value("cgroup", "") + "\n";
    return text;
}

std::string processTable(const json& processes)
{
    TextTable table({"VPID", "PID", "VPPID", "STATE", "COMMAND"});
    for (const auto& p : processes) {
        std::string cmd = p.value("cmdline", "");
        table.addRow({std::to_string(p.value("vpid", 0)), std::to_string(p.value("pid", 0)),
                      std::to_string(p.value("vppid", 0)), p.value("state", ""),
                      cmd.empty() ? "[" + p.value("comm", "") + "]" : cmd});
    }
    return table.render();
}

std::string helloText(const json& h)
{
    json caps = h.value("capabilities", json::object());
    json criu = caps.value("criu", json());
    std::string criuText = criu.is_object() ? criu.value("version", "?") : "not installed";
    return "agent:           " + h.value("agent_version", "") + " (protocol " + std::to_string(h.value("protocol", 0)) +
           ")\nkernel:          " + h.value("kernel_release", "") + "\nhostname:        " + h.value("hostname", "") +
           "\npid space:       " + caps.value("pid_space", "") +
           "\n/proc/container: " + (caps.value("proc_container", false) ? "yes" : "no") +
           "\ncgroups:         " + caps.value("cgroups", json::object()).value("mode", "") +
           "\ncriu:            " + criuText + "\n";
}

} // namespace pidvisor::protocol
