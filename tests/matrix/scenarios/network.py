"""The VM on its libvirt network: a DHCP lease, a server in the VM reached
from the host at the VM's address, the VM reaching the network's bridge.
Runs only on an isolated network (no <forward>): nothing leaves the host."""
import socket
import subprocess
import time

NAME = "network"
DESCRIPTION = "VM address by DHCP, host <-> VM over the libvirt network"
ORDER = 15


def read_from(addr, port, tries=30):
    for _ in range(tries):
        try:
            with socket.create_connection((addr, port), timeout=5) as s:
                s.settimeout(5)
                data = b""
                while True:
                    chunk = s.recv(256)
                    if not chunk:
                        break
                    data += chunk
                if data:
                    return data.decode()
        except OSError:
            pass
        time.sleep(0.5)
    return ""


def run(ctx):
    vm = ctx.shared_vm()
    info = ctx.pv("vm", "show", vm)
    net = info.get("network")
    if not net:
        raise ctx.Skip(f"VM {vm} has no NIC (PIDVISOR_NETWORK=none?)")
    xml = subprocess.run(["virsh", "-c", "qemu:///system", "net-dumpxml", net], capture_output=True,
                         text=True).stdout
    if "<forward" in xml:
        raise ctx.Skip(f"network {net} forwards outside this machine: the matrix runs on isolated ones only")
    bridge_ip = xml.split("<ip address='")[1].split("'")[0]
    started = time.monotonic()
    addr = ""
    while time.monotonic() - started < 90:
        info = ctx.pv("vm", "show", vm)
        if info.get("addresses"):
            addr = info["addresses"][0].split("/")[0]
            break
        time.sleep(0.3)
    ctx.check(addr, f"VM {vm} got no DHCP lease on {net} within 90 s")
    lease_wait_ms = int((time.monotonic() - started) * 1000)
    ctx.vm_exec(vm, "/bin/sh", "-c",
                "setsid sh -c 'echo matrix pong | nc -l -p 7071' </dev/null >/dev/null 2>&1 &")
    got = read_from(addr, 7071)
    ctx.check(got == "matrix pong\n", f"the host read {got!r} from {addr}:7071")
    ctx.vm_exec(vm, "ping", "-c", "1", "-W", "5", bridge_ip)
    return {"network": net, "address": addr, "lease_wait_ms": lease_wait_ms}
