// Format: how the GUI writes sizes, durations, times and states, in one
// place so the tree, the tables, the details and the charts agree.
#pragma once

#include "core/States.h"

#include <QColor>
#include <QString>

#include <cstdint>
#include <string>

namespace pidvisor::gui::format {

// How a state is coloured: green for running, grey for stopped, red for
// trouble, amber for anything in between.
enum class Tone { Good, Idle, Trouble, Pending };

[[nodiscard]] QString bytes(std::int64_t bytes);          // "1.5 MiB"
[[nodiscard]] QString millis(std::int64_t ms);            // "120 ms", "3.4 s", "2 min 5 s"
[[nodiscard]] QString elapsed(std::int64_t ms);           // "0:07", "1:02:03"
[[nodiscard]] QString localTime(std::int64_t unixMillis); // "2025-11-29 10:02:11"
[[nodiscard]] QString text(const std::string& s);         // UTF-8 to QString
// "S" -> "S (sleeping)": /proc's state letters, read only here.
[[nodiscard]] QString processState(const std::string& state);
[[nodiscard]] Tone tone(manager::VmState state);
[[nodiscard]] Tone tone(manager::ContainerState state);
// A checkpoint record's status word ("complete", "partial", "corrupt").
[[nodiscard]] Tone checkpointTone(const std::string& status);
[[nodiscard]] QColor toneColor(Tone tone);

} // namespace pidvisor::gui::format
