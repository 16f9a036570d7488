"""The /proc/container kselftest in the VM; on the stock kernel, the interface is absent."""
import json

NAME = "kselftest"
DESCRIPTION = "proc_container kselftest (container kernel) / interface absent (stock)"
ORDER = 30


def run(ctx):
    vm = ctx.shared_vm()
    info = json.loads(ctx.vm_exec(vm, "pidvisor-agent", "--json", "info")["stdout"])
    caps = info["capabilities"]
    if ctx.kernel == "stock":
        ctx.check(not caps["proc_container"], "the agent reports /proc/container on the stock kernel")
        ctx.check(caps["pid_space"] == "clone3", f"pid space {caps['pid_space']}")
        return {}, "interface absent, as expected: agent falls back to clone3"
    ctx.check(caps["proc_container"] and caps["pid_space"] == "proc-container", f"capabilities {caps}")
    r = ctx.pv("vm", "exec", vm, "--timeout", "300", "--", "/usr/libexec/pidvisor/selftests/proc_container_test")
    out = r["stdout"]
    ctx.check(r["exit_code"] == 0, f"kselftest exited {r['exit_code']}: {out[-600:]}")
    passed = [line for line in out.splitlines() if line.startswith("ok ")]
    ctx.check(len(passed) >= 16, f"only {len(passed)} tests passed")
    return {"tests_passed": len(passed)}
