"""Checkpoint in one VM, restore in another VM of the same kernel, same virtual pids."""
NAME = "cross-vm"
DESCRIPTION = "cross-VM restore with the same virtual pids"
ORDER = 70

WORKLOAD = ["/bin/sh", "-c", "pidvisor-testload pipe-writer | pidvisor-testload pipe-reader /tmp/pipe & "
            "pidvisor-testload memory 16 /tmp & exec pidvisor-testload counter /tmp/counter"]


def run(ctx):
    source = ctx.shared_vm()
    target, _ = ctx.new_vm("target")
    ctx.pv("container", "create", source, "mv", "--", *WORKLOAD)
    __import__("time").sleep(2)
    before = [(p["vpid"], p["vppid"], p["comm"]) for p in ctx.pv("container", "ps", source, "mv")]
    counter = int(ctx.pv("container", "exec", source, "mv", "--", "cat", "/tmp/counter")["stdout"])
    cp = ctx.pv("container", "checkpoint", source, "mv")
    ctx.pv("container", "restore", cp["id"], "--vm", target)
    after = [(p["vpid"], p["vppid"], p["comm"]) for p in ctx.pv("container", "ps", target, "mv")]
    ctx.check(after == before, f"pids differ: {before} vs {after}")
    now = int(ctx.pv("container", "exec", target, "mv", "--", "cat", "/tmp/counter")["stdout"])
    ctx.check(now >= counter, f"the counter restarted: {counter} -> {now}")
    ctx.pv("container", "rm", "--force", target, "mv")
    ctx.pv("container", "rm", "--force", source, "mv")
    return {"size_kib": cp["size"] // 1024, "processes": len(after)}
