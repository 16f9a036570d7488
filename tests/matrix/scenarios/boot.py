"""Boot a VM and handshake with its agent; report boot-to-ready."""
NAME = "boot"
DESCRIPTION = "boot and handshake"
ORDER = 10


def run(ctx):
    vm, info = ctx.new_vm("boot")
    ctx.check(info["state"] == "running", f"VM state {info['state']}")
    release = info["kernel_release"]
    if ctx.kernel == "container":
        ctx.check(release.endswith("-pidvisor"), f"kernel release {release} is not the container kernel")
    else:
        ctx.check(release.endswith("+deb13-amd64"), f"kernel release {release} is not Debian 13's")
    hello = ctx.vm_exec(vm, "pidvisor-agent", "--json", "info")
    agent = __import__("json").loads(hello["stdout"])
    ctx.check(agent["kernel_release"] == release, "the agent reports another kernel")
    ctx.pv("vm", "rm", "--force", vm)
    ctx.vms.remove(vm)
    return {"boot_to_ready_ms": info["boot_to_ready_ms"]}
