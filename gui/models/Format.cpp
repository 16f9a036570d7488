#include "Format.h"

#include <QDateTime>

namespace pidvisor::gui::format {

QString bytes(std::int64_t n)
{
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(n);
    int unit = 0;
    while (v >= 1024.0 && unit < 4) {
        v /= 1024.0;
        ++unit;
    }
    if (unit == 0)
        return QString::number(n) + " B";
    return QString::number(v, 'f', v < 10 ? 1 : 0) + " " + units[unit];
}

QString millis(std::int64_t ms)
{
    if (ms < 1000)
        return QString::number(ms) + " ms";
    if (ms < 60000)
        return QString::number(static_cast<double>(ms) / 1000.0, 'f', 1) + " s";
    return QString::number(ms / 60000) + " min " + QString::number(ms / 1000 % 60) + " s";
}

QString elapsed(std::int64_t ms)
{
    std::int64_t s = ms / 1000;
    if (s < 3600)
        return QString::asprintf("%lld:%02lld", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
    return QString::asprintf("%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                             static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
}

QString localTime(std::int64_t unixMillis)
{
    if (unixMillis <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(unixMillis).toString("yyyy-MM-dd HH:mm:ss");
}

QString text(const std::string& s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QString processState(const std::string& state)
{
    static const std::pair<const char*, const char*> names[] = {
        {"R", "running"}, {"S", "sleeping"}, {"D", "disk sleep"}, {"Z", "zombie"},
        {"T", "stopped"}, {"t", "traced"},   {"I", "idle"},       {"X", "dead"}};
    for (const auto& [code, name] : names)
        if (state == code)
            return QString("%1 (%2)").arg(code, name);
    return text(state);
}

Tone tone(manager::VmState state)
{
    using manager::VmState;
    switch (state) {
    case VmState::Running: return Tone::Good;
    case VmState::ShutOff: return Tone::Idle;
    case VmState::Crashed: return Tone::Trouble;
    case VmState::NoState:
    case VmState::Idle:
    case VmState::Paused:
    case VmState::InShutdown:
    case VmState::Suspended: return Tone::Pending;
    }
    return Tone::Pending;
}

Tone tone(manager::ContainerState state)
{
    using manager::ContainerState;
    switch (state) {
    case ContainerState::Running: return Tone::Good;
    case ContainerState::Stopped: return Tone::Idle;
    case ContainerState::Creating: return Tone::Pending;
    }
    return Tone::Pending;
}

Tone checkpointTone(const std::string& status)
{
    if (status == "complete")
        return Tone::Good;
    if (status == "corrupt")
        return Tone::Trouble;
    return Tone::Pending;
}

QColor toneColor(Tone tone)
{
    switch (tone) {
    case Tone::Good: return QColor(0x2e, 0xa0, 0x43);
    case Tone::Idle: return QColor(0x8a, 0x8f, 0x98);
    case Tone::Trouble: return QColor(0xd2, 0x3f, 0x31);
    case Tone::Pending: return QColor(0xd9, 0x8e, 0x04);
    }
    return QColor(0xd9, 0x8e, 0x04);
}

} // namespace pidvisor::gui::format
