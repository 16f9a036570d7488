"""The VM on its libvirt network: a DHCP lease, a server in the VM reached
from the host at the VM's address, the VM reaching the network's bridge;
two containers serving one port at their own addresses, and a TCP
connection from the host kept while its server's container live-migrates
to another VM. Runs only on an isolated network (no <forward>): nothing
leaves the host."""
import socket
import subprocess
import threading
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


def ask(addr, port, line):
    with socket.create_connection((addr, port), timeout=10) as s:
        s.sendall(line.encode() + b"\n")
        return s.makefile().readline().strip()


class HeldClient(threading.Thread):
    """One connection, a request every 100 ms, each answer checked."""

    def __init__(self, addr, port, server):
        super().__init__(daemon=True)
        self.addr, self.port, self.server = addr, port, server
        self.stop = threading.Event()
        self.answers, self.longest_gap, self.failure = 0, 0.0, ""

    def run(self):
        try:
            with socket.create_connection((self.addr, self.port), timeout=60) as s:
                s.settimeout(60)
                reader = s.makefile()
                last = time.monotonic()
                while not self.stop.is_set():
                    s.sendall(f"{self.answers}\n".encode())
                    got = reader.readline().strip()
                    if got != f"{self.server} {self.answers}":
                        self.failure = f"request {self.answers}: got {got!r}"
                        return
                    now = time.monotonic()
                    self.longest_gap = max(self.longest_gap, now - last)
                    last = now
                    self.answers += 1
                    time.sleep(0.1)
        except OSError as e:
            self.failure = f"after {self.answers} answers: {e}"


def containers(ctx, vm):
    """Two servers on one port at their own addresses; one moves live to another VM."""
    a = ctx.pv("container", "create", vm, "nw1", "--", "pidvisor-testload", "serve", "8080")["address"]
    b = ctx.pv("container", "create", vm, "nw2", "--", "pidvisor-testload", "serve", "8080")["address"]
    ctx.check(a and b and a != b, f"containers got addresses {a!r} and {b!r}")
    for addr, who in ((a, "nw1"), (b, "nw2")):
        got = ask(addr, 8080, "matrix")
        ctx.check(got == f"{who} matrix", f"the host read {got!r} from {addr}:8080")
    target, _ = ctx.new_vm("nwtarget")
    client = HeldClient(a, 8080, "nw1")
    client.start()
    time.sleep(2)
    report = ctx.pv("container", "migrate", vm, "nw1", "--to", target, "--live")
    time.sleep(2)
    client.stop.set()
    client.join(30)
    ctx.check(not client.failure, f"the held connection broke: {client.failure}")
    moved = ctx.pv("container", "info", target, "nw1")
    ctx.check(moved["address"] == a, f"the address changed in the move: {a} -> {moved['address']}")
    ctx.pv("container", "rm", "--force", target, "nw1")
    ctx.pv("container", "rm", "--force", vm, "nw2")
    return {"container_addresses": [a, b], "migration_downtime_ms": report["downtime_ms"],
            "client_longest_gap_ms": int(client.longest_gap * 1000), "client_answers": client.answers}


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
    result = {"network": net, "address": addr, "lease_wait_ms": lease_wait_ms}
    result.update(containers(ctx, vm))
    return result
