// Reaper: one thread that learns when container processes exit, through
// their pidfds, and collects their exit status when the agent is their
// parent. After an agent restart the containers are no longer its
// children: their exit is still seen, but the status is unknown.
#pragma once

#include "protocol/Result.h"
#include "protocol/UniqueFd.h"

#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace pidvisor::agent {

struct ExitStatus {
    bool known = false;
    int code = 0;   // exit code, or 128+signal
    int signal = 0; // 0 when it exited normally
};

class Reaper {
public:
    using Callback = std::function<void(const ExitStatus&)>;

    Reaper();
    ~Reaper();
    Reaper(const Reaper&) = delete;
    Reaper& operator=(const Reaper&) = delete;

    // Calls `onExit` once, on the reaper thread, when the process exits.
    [[nodiscard]] Status watch(int pidfd, Callback onExit);

private:
    void run();

    UniqueFd m_epoll;
    UniqueFd m_wake;
    std::mutex m_mutex;
    std::map<int, std::pair<UniqueFd, Callback>> m_watched;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace pidvisor::agent
