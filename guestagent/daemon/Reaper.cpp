#include "Reaper.h"

#include "Syscalls.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <cerrno>

namespace pidvisor::agent {

Reaper::Reaper()
    : m_epoll(::epoll_create1(EPOLL_CLOEXEC)), m_wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = m_wake.get();
    ::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, m_wake.get(), &ev);
    m_thread = std::thread([this] { run(); });
}

Reaper::~Reaper()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    std::uint64_t one = 1;
    (void)!::write(m_wake.get(), &one, sizeof one);
    m_thread.join();
}

Status Reaper::watch(int pidfd, Callback onExit)
{
    UniqueFd fd(::fcntl(pidfd, F_DUPFD_CLOEXEC, 0));
    if (!fd)
        return failErrno("duplicating a pidfd", errno);
    int raw = fd.get();
    std::lock_guard lock(m_mutex);
    m_watched[raw] = {std::move(fd), std::move(onExit)};
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = raw;
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, raw, &ev) < 0) {
        int err = errno;
        m_watched.erase(raw);
        return failErrno("watching a process", err);
    }
    return {};
}

void Reaper::run()
{
    for (;;) {
        epoll_event events[16];
        int n = ::epoll_wait(m_epoll.get(), events, 16, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return;
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == m_wake.get()) {
                std::lock_guard lock(m_mutex);
                if (m_stopping)
                    return;
                continue;
            }
            siginfo_t info{};
            ExitStatus status;
            if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(fd), &info, WEXITED | WNOHANG) == 0) {
                if (info.si_pid == 0)
                    continue; // spurious: not exited yet
                status.known = true;
                if (info.si_code == CLD_EXITED) {
                    status.code = info.si_status;
                } else {
                    status.signal = info.si_status;
                    status.code = 128 + info.si_status;
                }
            }
            // ECHILD: not our child (the agent restarted); exit is all we know.
            Callback callback;
            {
                std::lock_guard lock(m_mutex);
                ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
                auto it = m_watched.find(fd);
                if (it == m_watched.end())
                    continue;
                callback = std::move(it->second.second);
                m_watched.erase(it);
            }
            if (callback)
                callback(status);
        }
    }
}

} // namespace pidvisor::agent
