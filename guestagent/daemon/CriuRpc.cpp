#include "CriuRpc.h"

#include "ChildStatus.h"
#include "ContainerSpec.h"
#include "Syscalls.h"

#include "protocol/UniqueFd.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <optional>
#include <utility>

namespace pidvisor::agent {

namespace {

using Clock = std::chrono::steady_clock;

// criu's RPC messages are small; a restore response is a few bytes.
constexpr std::size_t kMaxMessage = 1 << 16;

// The swrk child: killed and reaped unless it was reaped already.
class SwrkProcess {
public:
    explicit SwrkProcess(pid_t pid) : m_pid(pid) {}
    SwrkProcess(SwrkProcess&& other) noexcept : m_pid(std::exchange(other.m_pid, 0)) {}
    SwrkProcess(const SwrkProcess&) = delete;
    SwrkProcess& operator=(const SwrkProcess&) = delete;
    SwrkProcess& operator=(SwrkProcess&&) = delete;
    ~SwrkProcess()
    {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            reap();
        }
    }
    // The wait status.
    int reap()
    {
        int status = sys::waitForChild(m_pid);
        m_pid = 0;
        return status;
    }

private:
    pid_t m_pid;
};

Result<SwrkProcess> startSwrk(const std::string& binary, int theirs)
{
    std::vector<std::string> args{binary, "swrk", std::to_string(theirs)};
    CStringArray argv(args), envp(withDefaultEnv({}));
    UniqueFd devNull(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!devNull)
        return failErrno("opening /dev/null for criu", errno);
    clone_args ca{};
    ca.exit_signal = SIGCHLD;
    pid_t pid = sys::clone3(ca);
    if (pid == 0) {
        // CRIU logs to its log file; the agent's own stdio stays quiet.
        ::dup2(devNull.get(), 0);
        ::dup2(devNull.get(), 1);
        ::dup2(devNull.get(), 2);
        ::fcntl(theirs, F_SETFD, 0); // criu keeps this one across exec
        sys::resetSignals();
        ::execve(argv.data()[0], argv.data(), envp.data());
        ::_exit(127);
    }
    if (pid < 0)
        return failErrno("starting criu swrk", errno);
    return SwrkProcess(pid);
}

Status sendRequest(int sock, const CriuRequest& request)
{
    std::string bytes = request.pack();
    if (::send(sock, bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0)
        return failErrno("sending a request to criu", errno);
    return {};
}

Result<CriuRespPtr> receive(int sock, Clock::time_point deadline, std::chrono::milliseconds timeout)
{
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            return fail(ErrorCode::Timeout,
                        "criu did not finish within " + std::to_string(timeout.count() / 1000) + " s");
        pollfd p{sock, POLLIN, 0};
        int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 60'000)));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return failErrno("waiting for criu", errno);
        if (ready > 0)
            break;
    }
    std::string buf(kMaxMessage, '\0');
    ssize_t n = ::recv(sock, buf.data(), buf.size(), MSG_TRUNC);
    if (n < 0)
        return failErrno("reading criu's answer", errno);
    if (n == 0)
        return fail(ErrorCode::Internal, "criu ended without an answer");
    if (static_cast<std::size_t>(n) > buf.size())
        return fail(ErrorCode::Internal, "criu's answer is larger than " + std::to_string(kMaxMessage) + " bytes");
    CriuRespPtr resp = unpackCriuResp(buf.data(), static_cast<std::size_t>(n));
    if (!resp)
        return fail(ErrorCode::Internal, "criu's answer is not a criu_resp message");
    return resp;
}

} // namespace

std::string criuBinary()
{
    for (const char* p : {"/usr/sbin/criu", "/usr/bin/criu", "/sbin/criu"})
        if (::access(p, X_OK) == 0)
            return p;
    return "/usr/sbin/criu";
}

Result<CriuAnswer> callCriu(const CriuRequest& request, const CriuNotifyHandler& onNotify,
                            const CriuRpcOptions& options)
{
    std::string binary = options.binary.empty() ? criuBinary() : options.binary;
    if (::access(binary.c_str(), X_OK) != 0)
        return fail(ErrorCode::Unsupported, "no criu executable at " + binary);
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return failErrno("creating a socket for criu", errno);
    UniqueFd ours(sv[0]), theirs(sv[1]);
    PV_TRY(SwrkProcess criu, startSwrk(binary, theirs.get()));
    theirs.reset();
    auto deadline = Clock::now() + options.timeout;
    PV_TRY_STATUS(sendRequest(ours.get(), request));

    CriuAnswer answer;
    std::optional<Error> rejected;
    for (;;) {
        PV_TRY(CriuRespPtr resp, receive(ours.get(), deadline, options.timeout));
        if (resp->type == CRIU_REQ_TYPE__NOTIFY) {
            CriuNotification note;
            if (resp->notify) {
                note.script = resp->notify->script ? resp->notify->script : "";
                note.pid = resp->notify->has_pid ? resp->notify->pid : 0;
            }
            answer.notifications.push_back(note.script);
            bool ok = true;
            if (onNotify && !rejected) {
                if (auto handled = onNotify(note); !handled) {
                    rejected = handled.error();
                    ok = false;
                }
            }
            PV_TRY_STATUS(sendRequest(ours.get(), CriuRequest::notifyAnswer(ok)));
            continue;
        }
        if (resp->type != request.type())
            return fail(ErrorCode::Internal, "criu answered a request of type " + std::to_string(request.type()) +
                                                 " with type " + std::to_string(resp->type));
        answer.success = resp->success;
        answer.crErrno = resp->has_cr_errno ? resp->cr_errno : 0;
        answer.crErrmsg = resp->cr_errmsg ? resp->cr_errmsg : "";
        if (resp->restore)
            answer.restoredPid = resp->restore->pid;
        break;
    }
    ours.reset(); // swrk exits once its socket closes
    criu.reap();
    if (rejected)
        return fail(*rejected);
    return answer;
}

} // namespace pidvisor::agent
