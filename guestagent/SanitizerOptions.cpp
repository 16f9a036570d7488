// Built into the agent, pidvisor-init and the test workload only in the
// sanitize tree (PIDVISOR_SANITIZE). LeakSanitizer stops the world with
// ptrace, which a confined container refuses by design (seccomp, no
// CAP_SYS_PTRACE), and its report at exit turns a process's exit status
// into 1, which is what the tests check. These programs run inside
// containers or as their init, so they go without leak checking; ASan and
// UBSan stay on.
extern "C" const char* __asan_default_options();
extern "C" const char* __asan_default_options()
{
    return "detect_leaks=0";
}
