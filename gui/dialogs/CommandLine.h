// CommandLine: splits a command typed in a dialog into argv the way a
// POSIX shell would for plain words: spaces separate, 'single' and "double"
// quotes group, a backslash escapes the next character (not in single
// quotes). No variables, globs or pipes: the agent runs argv directly.
#pragma once

#include <QStringList>

namespace pidvisor::gui {

[[nodiscard]] QStringList splitCommandLine(const QString& line);

} // namespace pidvisor::gui
