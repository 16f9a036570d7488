#include "ChildProcess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

extern char** environ;

namespace pidvisor::manager {

Result<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extraEnv)
{
    if (argv.empty())
        return fail(ErrorCode::InvalidArgument, "no program to run");
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) < 0)
        return failErrno("creating a pipe", errno);
    UniqueFd outRead(out[0]), outWrite(out[1]);
    if (::pipe2(err, O_CLOEXEC) < 0)
        return failErrno("creating a pipe", errno);
    UniqueFd errRead(err[0]), errWrite(err[1]);
    // Everything the child needs is built before fork: it only calls
    // async-signal-safe functions afterwards.
    std::vector<std::string> envStrings;
    for (char** e = environ; *e; ++e)
        envStrings.emplace_back(*e);
    envStrings.insert(envStrings.end(), extraEnv.begin(), extraEnv.end());
    std::vector<char*> envp, args;
    for (auto& s : envStrings)
        envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argCopy = argv;
    for (auto& s : argCopy)
        args.push_back(s.data());
    args.push_back(nullptr);
    int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t pid = ::fork();
    if (pid < 0)
        return failErrno("starting " + argv.front(), errno);
    if (pid == 0) {
        ::dup2(devNull, 0);
        ::dup2(outWrite.get(), 1);
        ::dup2(errWrite.get(), 2);
        // Nothing else of ours (the inventory, libvirt's sockets) leaks into
        // the program; tools that hand fd numbers to /bin/sh (mmdebstrap:
        // `cat >&N`) also need them to stay below 10 for dash.
        ::close_range(3, ~0U, 0);
        ::setpgid(0, 0);
        ::execve(args[0], args.data(), envp.data());
        ::_exit(127);
    }
    if (devNull >= 0)
        ::close(devNull);
    return ChildProcess(pid, std::move(outRead), std::move(errRead));
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)), m_out(std::move(other.m_out)), m_err(std::move(other.m_err)),
      m_stdout(std::move(other.m_stdout)), m_stderrLines(std::move(other.m_stderrLines))
{
}

ChildProcess::~ChildProcess()
{
    kill();
}

void ChildProcess::kill()
{
    if (m_pid > 0) {
        // The scripts start their own children: end the whole group.
        ::kill(-m_pid, SIGTERM);
        ::kill(m_pid, SIGTERM);
        int status;
        while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
        }
        m_pid = -1;
    }
}

int ChildProcess::wait(const std::function<void(const std::string&)>& onStderrLine)
{
    std::string partial;
    bool outOpen = true, errOpen = true;
    char buf[8192];
    while (outOpen || errOpen) {
        pollfd fds[2] = {{outOpen ? m_out.get() : -1, POLLIN, 0}, {errOpen ? m_err.get() : -1, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        if (fds[0].revents) {
            ssize_t n = ::read(m_out.get(), buf, sizeof buf);
            if (n <= 0)
                outOpen = false;
            else
                m_stdout.append(buf, static_cast<std::size_t>(n));
        }
        if (fds[1].revents) {
            ssize_t n = ::read(m_err.get(), buf, sizeof buf);
            if (n <= 0) {
                errOpen = false;
                continue;
            }
            partial.append(buf, static_cast<std::size_t>(n));
            for (auto nl = partial.find('\n'); nl != std::string::npos; nl = partial.find('\n')) {
                std::string line = partial.substr(0, nl);
                partial.erase(0, nl + 1);
                m_stderrLines.push_back(line);
                if (m_stderrLines.size() > 200)
                    m_stderrLines.erase(m_stderrLines.begin());
                if (onStderrLine)
                    onStderrLine(line);
            }
        }
    }
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
    m_pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ChildProcess::stderrTail(std::size_t lines) const
{
    std::string out;
    std::size_t start = m_stderrLines.size() > lines ? m_stderrLines.size() - lines : 0;
    for (std::size_t i = start; i < m_stderrLines.size(); ++i) {
        if (m_stderrLines[i].rfind("progress ", 0) == 0)
            continue;
        out += (out.empty() ? "" : " | ") + m_stderrLines[i];
    }
    return out;
}

} // namespace pidvisor::manager
