// Progress: how long work tells its caller how far it got. The CLI draws
// it on stderr, the GUI in its operations panel.
#pragma once

#include <functional>
#include <string>

namespace pidvisor::manager {

struct Progress {
    std::string stage;   // "building the guest image", "booting"
    int percent = -1;    // 0-100, or -1 when unknown
    std::string detail;  // "download", "12 MiB of 40"
};

using ProgressFn = std::function<void(const Progress&)>;

inline void report(const ProgressFn& fn, std::string stage, int percent = -1, std::string detail = {})
{
    if (fn)
        fn(Progress{std::move(stage), percent, std::move(detail)});
}

} // namespace pidvisor::manager
