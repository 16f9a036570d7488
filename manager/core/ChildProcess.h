// ChildProcess: a program the manager runs (the image and kernel build
// scripts), owned from fork to reap: the destructor kills and reaps it if
// it is still running. Its stderr is read line by line (progress), its
// stdout kept.
#pragma once

#include "protocol/Result.h"
#include "protocol/UniqueFd.h"

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace pidvisor::manager {

class ChildProcess {
public:
    [[nodiscard]] static Result<ChildProcess> spawn(const std::vector<std::string>& argv,
                                                    const std::vector<std::string>& extraEnv = {});
    ~ChildProcess();
    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&&) = delete;
    ChildProcess(const ChildProcess&) = delete;

    // Reads until the process closes its output, calling `onStderrLine` for
    // each stderr line; then reaps it. Returns the exit code (128+signal).
    [[nodiscard]] int wait(const std::function<void(const std::string&)>& onStderrLine);
    [[nodiscard]] const std::string& output() const { return m_stdout; }
    // The last lines of stderr, for error messages.
    [[nodiscard]] std::string stderrTail(std::size_t lines = 5) const;
    void kill();

private:
    ChildProcess(pid_t pid, UniqueFd out, UniqueFd err) : m_pid(pid), m_out(std::move(out)), m_err(std::move(err)) {}

    pid_t m_pid = -1;
    UniqueFd m_out, m_err;
    std::string m_stdout;
    std::vector<std::string> m_stderrLines;
};

} // namespace pidvisor::manager
