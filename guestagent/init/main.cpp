// pidvisor-init: the tiny init a container gets with --init.
//
// It runs as pid 1 of the container, starts the command as its child,
// forwards every signal it receives to that child, reaps every orphan that
// the pid namespace hands it, and exits with the command's status once the
// command exits (which ends the container, as the kernel kills the rest).
// Statically linked so it runs in any root.
//
// With --subreaper it does the same job outside containers: orphans of the
// command's descendants (a daemonized QEMU under libvirtd) come to it and
// are reaped at once, instead of waiting for a slow system init.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv)
{
    int first = 1;
    if (first < argc && std::strcmp(argv[first], "--subreaper") == 0) {
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
            std::fprintf(stderr, "pidvisor-init: cannot become a subreaper: %s\n", std::strerror(errno));
            return 1;
        }
        ++first;
    }
    if (first < argc && std::strcmp(argv[first], "--") == 0)
        ++first;
    if (first >= argc) {
        std::fprintf(stderr, "usage: pidvisor-init [--subreaper] -- COMMAND [ARG...]\n");
        return 2;
    }
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);

    pid_t child = fork();
    if (child < 0) {
        std::fprintf(stderr, "pidvisor-init: fork: %s\n", std::strerror(errno));
        return 1;
    }
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &old, nullptr);
        setpgid(0, 0);
        execvp(argv[first], argv + first);
        std::fprintf(stderr, "pidvisor-init: cannot execute %s: %s\n", argv[first], std::strerror(errno));
        _exit(127);
    }

    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(&all, &info);
        if (sig < 0)
            continue;
        if (sig != SIGCHLD) {
            kill(child, sig);
            continue;
        }
        int status = 0;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            if (pid != child)
                continue;
            if (WIFEXITED(status))
                return WEXITSTATUS(status);
            return 128 + WTERMSIG(status);
        }
    }
}
