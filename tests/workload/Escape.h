// Escape attempts for the confinement tests: run inside a container, they
// try what an attacker would and print what the kernel answered.
#pragma once

namespace pidvisor::testload {

// Tries one thing (see the list in Escape.cpp) and prints "ok" or the
// errno's name (EPERM, EROFS...); exit code 0 either way, 2 for a bad name.
int attempt(const char* what);

// Until STOPFILE exists: watches for new processes in this pid namespace
// and tries pidfd_getfd on each descriptor of theirs (and, with `ptrace`,
// PTRACE_SEIZE), then writes one line of counts to OUTFILE:
//   seen=N getfd_ok=N getfd_eperm=N getfd_other=N ptrace_ok=N ptrace_eperm=N files=N pids=N [what...]
// `files` counts stolen descriptors other than pipes and character devices
// (sockets, pidfds, files, directories); `what` are their distinct names,
// for the caller to judge (after exec a command opens its own files).
int stealFds(const char* stopFile, const char* outFile, bool tryPtrace);

} // namespace pidvisor::testload
