#include "CliOutput.h"

#include "protocol/TextTable.h"

#include <ctime>
#include <iostream>

namespace pidvisor::agent {

using nlohmann::json;

namespace {

std::string joinArgs(const json& argv)
{
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty())
            out += ' ';
        out += a.get<std::string>();
    }
    return out;
}

std::string formatTime(std::int64_t millis)
{
    std::time_t t = static_cast<std::time_t>(millis / 1000);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

} // namespace

int reportError(const Error& error)
{
    std::cerr << "pidvisor-agent: " << error.describe() << "\n";
    return error.code == ErrorCode::InvalidArgument ? 2 : 1;
}

int printJsonOr(const json& result, bool asJson, const std::string& text)
{
    if (asJson)
        std::cout << result.dump(2) << "\n";
    else if (!text.empty())
        std::cout << text << (text.back() == '\n' ? "" : "\n");
    return 0;
}

std::string describeState(const json& info)
{
    std::string state = info.value("state", "");
    if (state != "stopped")
        return state;
    if (!info.contains("exit") || info["exit"].is_null())
        return "stopped (exit unknown)";
    int signal = info["exit"].value("signal", 0);
    if (signal)
        return "killed by signal " + std::to_string(signal);
    return "exited " + std::to_string(info["exit"].value("code", 0));
}

int printContainerList(const json& containers, bool asJson)
{
    if (asJson)
        return printJsonOr(containers, true, "");
    TextTable table({"NAME", "STATE", "PID", "PID-SPACE", "CREATED", "COMMAND"});
    for (const auto& c : containers)
        table.addRow({c.value("name", ""), describeState(c), std::to_string(c.value("init_pid", 0)),
                      c.value("pid_space", ""), formatTime(c.value("created_at", std::int64_t{0})),
                      joinArgs(c["spec"]["argv"])});
    std::cout << table.render();
    return 0;
}

int printContainerInfo(const json& info, bool asJson)
{
    if (asJson)
        return printJsonOr(info, true, "");
    const json& spec = info["spec"];
    std::cout << "name:       " << info.value("name", "") << "\n"
              << "state:      " << describeState(info) << "\n"
              << "init pid:   " << info.value("init_pid", 0) << " (global; 1 inside)\n"
              << "pid space:  " << info.value("pid_space", "") << " (namespace " << info.value("pidns_inode", std::uint64_t{0})
              << ")\n"
              << "hostname:   " << spec.value("hostname", "") << "\n"
              << "command:    " << joinArgs(spec["argv"]) << "\n"
              << "created:    " << formatTime(info.value("created_at", std::int64_t{0})) << "\n";
    if (info.contains("processes"))
        std::cout << "processes:  " << info["processes"].get<int>() << "\n";
    if (!info.value("cgroup", "").empty())
        std::cout << "cgroup:     " << info.value("cgroup", "") << "\n";
    return 0;
}

int printProcesses(const json& processes, bool asJson)
{
    if (asJson)
        return printJsonOr(processes, true, "");
    TextTable table({"VPID", "PID", "VPPID", "STATE", "COMMAND"});
    for (const auto& p : processes) {
        std::string cmd = p.value("cmdline", "");
        table.addRow({std::to_string(p.value("vpid", 0)), std::to_string(p.value("pid", 0)),
                      std::to_string(p.value("vppid", 0)), p.value("state", ""),
                      cmd.empty() ? "[" + p.value("comm", "") + "]" : cmd});
    }
    std::cout << table.render();
    return 0;
}

int printCommandResult(const json& result, bool asJson)
{
    int code = result.value("exit_code", 0);
    if (asJson) {
        printJsonOr(result, true, "");
        return code;
    }
    std::cout << result.value("stdout", "") << std::flush;
    std::cerr << result.value("stderr", "");
    if (result.value("timed_out", false))
        std::cerr << "pidvisor-agent: the command timed out and was killed\n";
    return code;
}

std::string describeHello(const json& h)
{
    const json& caps = h["capabilities"];
    std::string criu = caps["criu"].is_null() ? "not installed" : caps["criu"].value("version", "?");
    return "agent:          " + h.value("agent_version", "") + " (protocol " + std::to_string(h.value("protocol", 0)) +
           ")\nkernel:         " + h.value("kernel_release", "") +
           "\nhostname:       " + h.value("hostname", "") +
           "\npid space:      " + caps.value("pid_space", "") +
           "\n/proc/container: " + (caps.value("proc_container", false) ? "yes" : "no") +
           "\ncgroups:        " + caps["cgroups"].value("mode", "") + "\ncriu:           " + criu;
}

} // namespace pidvisor::agent
