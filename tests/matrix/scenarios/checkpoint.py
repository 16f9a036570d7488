"""Checkpoint a running container and restore it in the same VM under a new name."""
NAME = "checkpoint"
DESCRIPTION = "checkpoint and restore in the same VM"
ORDER = 60

WORKLOAD = ["/bin/sh", "-c", "pidvisor-testload pipe-writer | pidvisor-testload pipe-reader /tmp/pipe & "
            "exec pidvisor-testload counter /tmp/counter"]


def tree(ctx, vm, name):
    return [(p["vpid"], p["vppid"], p["comm"]) for p in ctx.pv("container", "ps", vm, name)]


def run(ctx):
    vm = ctx.shared_vm()
    # Loopback only: the copy restored beside the running original cannot share its address.
    ctx.pv("container", "create", vm, "ck", "--network", "none", "--", *WORKLOAD)
    __import__("time").sleep(1.5)
    before = tree(ctx, vm, "ck")
    cp = ctx.pv("container", "checkpoint", vm, "ck", "--leave-running", "--tag", "matrix")
    restored = ctx.pv("container", "restore", cp["id"], "--vm", vm, "--name", "ck2")
    ctx.check(restored["state"] == "running", f"restored state {restored['state']}")
    ctx.check(tree(ctx, vm, "ck2") == before, f"pids differ: {before} vs {tree(ctx, vm, 'ck2')}")
    # Restored confined: the device filter is made again on the new cgroup.
    devices = ctx.pv("container", "info", vm, "ck2").get("confinement", {}).get("devices")
    ctx.check(devices == "default", f"the restored container's device filter: {devices!r}, not 'default'")
    for name in ("ck", "ck2"):
        ctx.pv("container", "rm", "--force", vm, name)
    durations = cp["durations"]
    return {"size_kib": cp["size"] // 1024, "dump_ms": durations.get("dump"), "total_ms": durations.get("total_ms")}
