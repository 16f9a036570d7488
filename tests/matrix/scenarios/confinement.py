"""Escapes from a confined container fail inside a VM; a privileged one keeps its powers; a
--userns one is refused what the VM's root owns, and restores with its map."""
import json

NAME = "confinement"
DESCRIPTION = "escape attempts from a confined container fail, a privileged one may"
ORDER = 25

TESTLOAD = "/usr/bin/pidvisor-testload"
# What the kernel must answer from inside a confined container.
EXPECTED = {
    "core-pattern": "EROFS",  # opened for writing and closed: never written
    "sysrq-trigger": "EROFS",
    "mknod-block": "EPERM",
    "mknod-char": "EPERM",
    "mount-proc": "EPERM",
    "mount-sysfs": "EPERM",
    "mount-tmpfs": "EPERM",
    "umount:/proc": "EPERM",
    "umount:/proc/kcore": "EPERM",
    "umount:/sys": "EPERM",
    "unshare-user": "EPERM",
    "clone-newuser": "EPERM",
    "setns-mnt": "EPERM",
    "finit-module": "EPERM",
    "clock-settime": "EPERM",
}
DEFAULT_CAPS = "00000000a80425fb"


def inside(ctx, vm, name, *argv):
    p = ctx.run("container", "exec", vm, name, "--", *argv)
    if not p.stdout.strip():
        raise ctx.Failure(f"exec {' '.join(argv)} in {name} failed: {p.stderr.strip()[-400:]}")
    return json.loads(p.stdout)


def caps(ctx, vm, name):
    status = inside(ctx, vm, name, "cat", "/proc/self/status")["stdout"]
    fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
    return fields.get("CapEff", "").strip(), fields.get("Seccomp", "").strip()


def run(ctx):
    vm = ctx.shared_vm()
    if ctx.vm_exec(vm, "test", "-x", TESTLOAD, check_exit=False)["exit_code"] != 0:
        raise ctx.Skip(f"the guest image has no {TESTLOAD} (built without tests/workload)")
    ctx.pv("container", "create", vm, "jail", "--", "/bin/sleep", "1000")
    # A kernel built without CONFIG_COREDUMP or CONFIG_MAGIC_SYSRQ (the
    # container kernel) has no such file at all: nothing to write, so ENOENT
    # is the safe answer there.
    pattern = ctx.vm_exec(vm, "cat", "/proc/sys/kernel/core_pattern", check_exit=False)
    has_pattern = pattern["exit_code"] == 0
    before = pattern["stdout"]
    expected = dict(EXPECTED)
    for what, path in (("core-pattern", "/proc/sys/kernel/core_pattern"), ("sysrq-trigger", "/proc/sysrq-trigger")):
        if ctx.vm_exec(vm, "test", "-e", path, check_exit=False)["exit_code"] != 0:
            expected[what] = "ENOENT"
    failures = {}
    for what, answer in expected.items():
        got = inside(ctx, vm, "jail", TESTLOAD, "attempt", what)["stdout"].strip()
        if got != answer:
            failures[what] = got
    ctx.check(not failures, f"escapes that did not fail as expected: {failures}")
    if has_pattern:
        ctx.check(ctx.vm_exec(vm, "cat", "/proc/sys/kernel/core_pattern")["stdout"] == before,
                  "core_pattern changed")
    cap_eff, seccomp = caps(ctx, vm, "jail")
    ctx.check(cap_eff == DEFAULT_CAPS and seccomp == "2", f"confined CapEff {cap_eff}, Seccomp {seccomp}")
    hidden = inside(ctx, vm, "jail", "/bin/sh", "-c", "ls -d /var/lib/pidvisor 2>&1")["stdout"]
    ctx.check("No such file" in hidden, f"the agent's state directory is visible: {hidden}")
    # Its own cgroup namespace, rooted at its cgroup (cgroup v2 only in VMs).
    for who in ("1", "self"):
        cg = inside(ctx, vm, "jail", "cat", f"/proc/{who}/cgroup")["stdout"]
        ctx.check(cg == "0::/\n", f"/proc/{who}/cgroup in the container reads {cg!r}, not its own root")
    # The device filter (eBPF on its cgroup): a node of the VM's data disk
    # (root may open a block device; nothing is read), put into its files
    # from the VM's side, cannot be opened; a privileged container (no
    # filter) opens the same node below.
    disk = ctx.vm_exec(vm, "stat", "-c", "%t %T", "/dev/vda", check_exit=False)
    if disk["exit_code"] != 0:
        raise ctx.Skip(f"VM {vm} has no data disk /dev/vda to make a device node of")
    major, minor = (str(int(x, 16)) for x in disk["stdout"].split())
    node_cmd = "ls -l /disk-node; head -c 0 /disk-node 2>&1 && echo opened"
    ctx.vm_exec(vm, "mknod", "/var/lib/pidvisor/containers/jail/upper/disk-node", "b", major, minor)
    seen = inside(ctx, vm, "jail", "/bin/sh", "-c", node_cmd)["stdout"]
    ctx.check(seen.startswith("brw"), f"the node is not in the container's view: {seen}")
    ctx.check("Operation not permitted" in seen and "opened" not in seen,
              f"b {major}:{minor} opened in a confined container: {seen}")
    info = ctx.pv("container", "info", vm, "jail")
    ctx.check(info.get("confinement", {}).get("seccomp") == "default", f"info: {info.get('confinement')}")
    ctx.check(info.get("confinement", {}).get("devices") == "default",
              f"info does not report the device filter the kernel enforces: {info.get('confinement')}")

    ctx.pv("container", "create", vm, "free", "--privileged", "--", "/bin/sleep", "1000")
    cap_eff, seccomp = caps(ctx, vm, "free")
    ctx.check(seccomp == "0" and cap_eff != DEFAULT_CAPS, f"privileged CapEff {cap_eff}, Seccomp {seccomp}")
    got = inside(ctx, vm, "free", TESTLOAD, "attempt", "mount-tmpfs")["stdout"].strip()
    ctx.check(got == "ok", f"a privileged container cannot mount a tmpfs: {got}")
    ctx.vm_exec(vm, "mknod", "/var/lib/pidvisor/containers/free/upper/disk-node", "b", major, minor)
    seen = inside(ctx, vm, "free", "/bin/sh", "-c", node_cmd)["stdout"]
    ctx.check("opened" in seen, f"a privileged container (no device filter) cannot open the node: {seen}")
    devices = ctx.pv("container", "info", vm, "free").get("confinement", {}).get("devices")
    ctx.check(devices == "all", f"a privileged container's info says devices {devices!r}, not 'all'")
    ctx.pv("container", "rm", "--force", vm, "jail")
    ctx.pv("container", "rm", "--force", vm, "free")
    try:
        userns(ctx, vm, expected)
    finally:
        # The shared VM's later scenarios count its containers.
        for name in ("mapped2", "mapped"):
            ctx.run("container", "rm", "--force", vm, name)
    return {"escapes_refused": len(EXPECTED)}


# What the VM's root owns, refused by the kernel even to a privileged
# container in its own user namespace (its capabilities are its namespace's).
USERNS_EXPECTED = {"core-pattern": "EACCES", "mknod-char": "EPERM", "mknod-block": "EPERM",
                   "clock-settime": "EPERM"}


def userns(ctx, vm, confined_expected):
    """--userns: the map, the VM's view of its uid, its files on disk, the
    kernel's refusals; checkpointed and restored with the same map."""
    ctx.pv("container", "create", vm, "mapped", "--userns", "--privileged", "--network", "none", "--",
           TESTLOAD, "counter", "/tmp/counter")
    info = ctx.pv("container", "info", vm, "mapped")
    ns = info.get("confinement", {}).get("userns") or {}
    ctx.check(ns.get("base") == 100000 and ns.get("size") == 65536, f"info's user namespace: {ns}")
    mapped = inside(ctx, vm, "mapped", "/bin/sh", "-c",
                    "cat /proc/self/uid_map; echo made > /made; stat -c %u:%g /made /etc/passwd")["stdout"].split()
    ctx.check(mapped == ["0", "100000", "65536", "0:0", "0:0"], f"inside a --userns container: {mapped}")
    seen = ctx.vm_exec(vm, "sh", "-c", f"awk '/^Uid/ {{print $2}}' /proc/{info['init_pid']}/status; "
                       "stat -c %u /var/lib/pidvisor/containers/mapped/upper/made")["stdout"].split()
    ctx.check(seen == ["100000", "0"], f"the VM sees its root as uid {seen[:1]}, its file on disk owned by {seen[1:]}")
    refused = {}
    for what, answer in USERNS_EXPECTED.items():
        if confined_expected.get(what) == "ENOENT":
            answer = "ENOENT"  # the kernel has no such file
        got = inside(ctx, vm, "mapped", TESTLOAD, "attempt", what)["stdout"].strip()
        if got != answer:
            refused[what] = got
    ctx.check(not refused, f"a privileged --userns container was not refused: {refused}")
    cp = ctx.pv("container", "checkpoint", vm, "mapped")
    # Beside the stopped original, whose range only a running one would hold.
    restored = ctx.pv("container", "restore", cp["id"], "--vm", vm, "--name", "mapped2")
    ctx.check(restored["state"] == "running", f"restored --userns container: {restored['state']}")
    again = inside(ctx, vm, "mapped2", "/bin/sh", "-c", "cat /proc/1/uid_map /made")["stdout"].split()
    ctx.check(again == ["0", "100000", "65536", "made"], f"after the restore: {again}")
    ctx.pv("checkpoint", "rm", cp["id"])
