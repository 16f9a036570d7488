#include "Log.h"

#include <cstdio>
#include <ctime>
#include <mutex>

namespace pidvisor::agent {

namespace {
std::mutex g_logMutex;

void logLine(const char* level, std::string_view message)
{
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    tm t{};
    ::gmtime_r(&ts.tv_sec, &t);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%H:%M:%S", &t);
    std::lock_guard lock(g_logMutex);
    std::fprintf(stderr, "%s.%03ld pidvisor-agent %s: %.*s\n", stamp, ts.tv_nsec / 1000000, level,
                 static_cast<int>(message.size()), message.data());
}
} // namespace

void logInfo(std::string_view message)
{
    logLine("info", message);
}

void logError(std::string_view message)
{
    logLine("error", message);
}

} // namespace pidvisor::agent
