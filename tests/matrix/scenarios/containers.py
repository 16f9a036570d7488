"""Containers have private pid spaces, made through /proc/container where the kernel has it."""
NAME = "containers"
DESCRIPTION = "container create with pid isolation checks"
ORDER = 20


def run(ctx):
    vm = ctx.shared_vm()
    c = ctx.pv("container", "create", vm, "iso", "--", "/bin/sh", "-c", "sleep 1000 & sleep 1000")
    expected_space = "proc-container" if ctx.kernel == "container" else "clone3"
    ctx.check(c["pid_space"] == expected_space, f"pid space {c['pid_space']}, expected {expected_space}")
    procs = ctx.pv("container", "ps", vm, "iso")
    ctx.check(procs[0]["vpid"] == 1 and procs[0]["pid"] != 1, f"pid 1 inside: {procs[0]}")
    inside = ctx.pv("container", "exec", vm, "iso", "--", "/bin/sh", "-c",
                    "for p in /proc/[0-9]*; do echo ${p#/proc/}; done")["stdout"].split()
    ctx.check(all(int(p) < 50 for p in inside), f"global pids visible inside: {inside}")
    ctx.check(len(inside) <= len(procs) + 2, f"more processes visible than the container has: {inside}")
    agent_pid = ctx.vm_exec(vm, "pidof", "pidvisor-agent")["stdout"].split()[0]
    # The command's own exit code is the CLI's: expect it to fail.
    kill = ctx.run("container", "exec", vm, "iso", "--", "kill", "-0", agent_pid)
    result = __import__("json").loads(kill.stdout)
    ctx.check(result["exit_code"] != 0, "a process outside the container could be signalled")
    ctx.check("No such process" in result["stderr"], f"kill said: {result['stderr']}")
    if ctx.kernel == "container":
        table = ctx.vm_exec(vm, "cat", "/proc/container")["stdout"].splitlines()
        ctx.check(table[0].split() == ["NAME", "INIT_PID", "TASKS", "LEVEL"], f"header {table[0]}")
        rows = {line.split()[0]: line.split() for line in table[1:]}
        ctx.check("iso" in rows, f"/proc/container does not list the container: {table}")
        ctx.check(int(rows["iso"][1]) == c["init_pid"], f"init pid {rows['iso'][1]} != {c['init_pid']}")
        name = ctx.vm_exec(vm, "cat", f"/proc/{c['init_pid']}/container")["stdout"].strip()
        ctx.check(name == "iso", f"/proc/PID/container says {name}")
    else:
        absent = ctx.vm_exec(vm, "test", "-e", "/proc/container", check_exit=False)
        ctx.check(absent["exit_code"] != 0, "the stock kernel has /proc/container")
    ctx.pv("container", "rm", "--force", vm, "iso")
    return {"processes": len(procs)}
