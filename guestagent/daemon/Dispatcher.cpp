#include "Dispatcher.h"

#include "protocol/Args.h"
#include "protocol/Commands.h"
#include "protocol/Names.h"

#include <csignal>

namespace pidvisor::agent {

using nlohmann::json;
using protocol::Args;
using protocol::ListLimits;
namespace cmd = protocol::cmd;

namespace {

constexpr std::int64_t kMaxTimeoutMs = 24LL * 3600 * 1000;
constexpr std::size_t kMaxStdin = 64 * 1024;

json commandResultJson(const CommandResult& r)
{
    return {{"exit_code", r.exitCode},         {"signal", r.signal},
            {"stdout", r.out},                 {"stderr", r.err},
            {"stdout_truncated", r.outTruncated}, {"stderr_truncated", r.errTruncated},
            {"timed_out", r.timedOut}};
}

// Arguments shared by exec and guest-exec.
Result<ExecRequest> parseExec(const Args& args)
{
    ExecRequest req;
    PV_TRY(req.argv, args.stringList("argv", ListLimits{kMaxArgs, kMaxArgBytes, false}));
    if (req.argv.front().empty())
        return fail(ErrorCode::InvalidArgument, "the command (argv[0]) is empty");
    PV_TRY(auto env, args.stringList("env", ListLimits{kMaxEnv, kMaxArgBytes, true}));
    PV_TRY(req.env, validateEnv(std::move(env)));
    PV_TRY(auto cwd, args.optionalString("cwd"));
    req.cwd = cwd.value_or("/");
    PV_TRY_STATUS(validateAbsolutePath("working directory", req.cwd));
    PV_TRY(auto input, args.optionalString("stdin"));
    req.stdinData = input.value_or("");
    if (req.stdinData.size() > kMaxStdin)
        return fail(ErrorCode::InvalidArgument, "argument 'stdin' exceeds " + std::to_string(kMaxStdin) + " bytes");
    PV_TRY(auto timeout, args.optionalInteger("timeout_ms", 1, kMaxTimeoutMs));
    req.timeout = std::chrono::milliseconds(timeout.value_or(0));
    return req;
}

Result<std::string> parseName(const Args& args)
{
    PV_TRY(std::string name, args.requiredString("name"));
    PV_TRY_STATUS(protocol::validateName("container name", name));
    return name;
}

} // namespace

Result<int> parseSignal(const json& value)
{
    if (value.is_number_integer()) {
        auto n = value.get<std::int64_t>();
        if (n < 1 || n >= NSIG)
            return fail(ErrorCode::InvalidArgument, "signal " + std::to_string(n) + " is out of range");
        return static_cast<int>(n);
    }
    if (!value.is_string())
        return fail(ErrorCode::InvalidArgument, "argument 'signal' must be a number or a name");
    std::string name = value.get<std::string>();
    if (name.rfind("SIG", 0) == 0)
        name = name.substr(3);
    static const std::map<std::string, int> kSignals{
        {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL}, {"USR1", SIGUSR1},
        {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"STOP", SIGSTOP}, {"CONT", SIGCONT}, {"ALRM", SIGALRM},
        {"WINCH", SIGWINCH}};
    auto it = kSignals.find(name);
    if (it == kSignals.end())
        return fail(ErrorCode::InvalidArgument, "signal " + protocol::quoteForMessage(name) + " is not known");
    return it->second;
}

Dispatcher::Dispatcher(ContainerManager& containers, CheckpointManager& checkpoints, SystemInfo info)
    : m_containers(containers), m_checkpoints(checkpoints), m_info(std::move(info))
{
    add(cmd::Hello, [this](const json& a, RequestContext&) -> Result<Reply> {
        PV_TRY_STATUS(Args(a).onlyKnown({"client", "protocol"}));
        json result = m_info.toJson();
        result["commands"] = commands();
        return Reply{result, {}};
    });
    add(cmd::Sync, [this](const json& a, RequestContext&) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"nonce"}));
        PV_TRY(std::string nonce, args.requiredString("nonce"));
        if (nonce.size() > 128)
            return fail(ErrorCode::InvalidArgument, "argument 'nonce' exceeds 128 bytes");
        return Reply{{{"nonce", nonce}, {"instance", m_info.instance}}, {}};
    });
    add(cmd::GuestExec, [](const json& a, RequestContext&) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"argv", "env", "cwd", "stdin", "timeout_ms"}));
        PV_TRY(ExecRequest req, parseExec(args));
        CommandPlan plan;
        plan.argv = req.argv;
        plan.env = withDefaultEnv(req.env);
        plan.cwd = req.cwd;
        plan.stdinData = req.stdinData;
        plan.timeout = req.timeout;
        PV_TRY(CommandResult r, runCommand(plan));
        return Reply{commandResultJson(r), {}};
    });
    addContainerCommands();
    addCheckpointCommands();
}

void Dispatcher::addContainerCommands()
{
    add(cmd::ContainerCreate, [this](const json& a, RequestContext&) -> Result<Reply> {
        PV_TRY(ContainerSpec spec, ContainerSpec::fromJson(a));
        PV_TRY(json info, m_containers.create(spec));
        return Reply{info, {}};
    });
    add(cmd::ContainerList, [this](const json& a, RequestContext&) -> Result<Reply> {
        PV_TRY_STATUS(Args(a).onlyKnown({}));
        return Reply{{{"containers", m_containers.list()}}, {}};
    });
    add(cmd::ContainerInfo, [this](const json& a, RequestContext&) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"name"}));
        PV_TRY(std::string name, parseName(args));
        PV_TRY(json info, m_containers.info(name));
        return Reply{info, {}};
    });
    add(cmd::ContainerPs, [this](const json& a, RequestContext&) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"name"}));
        PV_TRY(std::string name, parseName(args));
        PV_TRY(auto procs, m_containers.processes(name));
        json list = json::array();
        for (const auto& p : procs)
            list.push_back(p.toJson());
        return Reply{{{"name", name}, {"processes", list}}, {}};
    });
    add(cmd::ContainerExec, [this](const json& a, RequestContext&) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"name", "argv", "env", "cwd", "stdin", "timeout_ms"}));
        PV_TRY(std::string name, parseName(args));
        PV_TRY(ExecRequest req, parseExec(args));
        PV_TRY(CommandResult r, m_containers.exec(name, req));
        return Reply{commandResultJson(r), {}};
    });
    add(cmd::ContainerLogs, [this](const json& a, RequestContext&) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"name", "tail_bytes"}));
        PV_TRY(std::string name, parseName(args));
        constexpr std::int64_t kMaxLog = 4 << 20;
        PV_TRY(auto tail, args.optionalInteger("tail_bytes", 0, kMaxLog));
        PV_TRY(std::string data, m_containers.logs(name, static_cast<std::size_t>(tail.value_or(kMaxLog))));
        json result{{"name", name}, {"size", data.size()}};
        return Reply{result, std::move(data)};
    });
    add(cmd::ContainerKill, [this](const json& a, RequestContext&) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"name", "signal", "all"}));
        PV_TRY(std::string name, parseName(args));
        int signal = SIGKILL;
        if (a.contains("signal") && !a["signal"].is_null()) {
            PV_TRY(signal, parseSignal(a["signal"]));
        }
        PV_TRY(bool all, args.optionalBool("all", false));
        PV_TRY(json result, m_containers.kill(name, signal, all));
        return Reply{result, {}};
    });
    add(cmd::ContainerStop, [this](const json& a, RequestContext&) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"name", "timeout_ms"}));
        PV_TRY(std::string name, parseName(args));
        PV_TRY(auto grace, args.optionalInteger("timeout_ms", 0, kMaxTimeoutMs));
        PV_TRY(json info, m_containers.stop(name, std::chrono::milliseconds(grace.value_or(10000))));
        return Reply{info, {}};
    });
    add(cmd::ContainerRm, [this](const json& a, RequestContext&) -> Result<Reply> {
        Args args(a);
        PV_TRY_STATUS(args.onlyKnown({"name", "force"}));
        PV_TRY(std::string name, parseName(args));
        PV_TRY(bool force, args.optionalBool("force", false));
        PV_TRY_STATUS(m_containers.remove(name, force));
        return Reply{{{"name", name}, {"removed", true}}, {}};
    });
}

void Dispatcher::add(std::string_view name, Handler handler)
{
    m_handlers.emplace(std::string(name), std::move(handler));
}

std::vector<std::string> Dispatcher::commands() const
{
    std::vector<std::string> out;
    for (const auto& [name, handler] : m_handlers)
        out.push_back(name);
    return out;
}

Result<Reply> Dispatcher::handle(const protocol::Request& request, RequestContext& context) const
{
    auto it = m_handlers.find(request.cmd);
    if (it == m_handlers.end())
        return fail(ErrorCode::Unsupported, "unknown command " + protocol::quoteForMessage(request.cmd));
    try {
        return it->second(request.args, context);
    } catch (const std::exception& e) {
        return fail(ErrorCode::Internal, "command '" + request.cmd + "' failed unexpectedly: " + e.what());
    }
}

} // namespace pidvisor::agent
