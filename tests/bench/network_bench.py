#!/usr/bin/env python3
"""Container networking benchmarks, each against a baseline in the same run:

1. Client-observed downtime of a live migration of a redis-server container
   holding 64 MiB and 256 MiB of data, against a stop-and-copy migration of
   the same container (target ratio <= 0.35). A client on the host holds one
   connection, sends PING every 100 ms and checks each PONG; its longest
   wait is the downtime a user sees. It must never see a reset.
2. TCP throughput host -> container (its address on the VM's network: a
   veth into the VM's bridge) against host -> the VM itself, the same
   receiver (pidvisor-testload serve in discard mode) in both
   (target >= 0.8).

    tests/bench/network_bench.py [--rounds N] [--kernel container|stock] [--parts downtime,throughput]
Needs root, libvirtd (packaging/libvirt-services.sh start), an isolated
test network (the Makefile's bench target sets PIDVISOR_NETWORK=pidvisor-test),
and for part 1 mmdebstrap and the Debian archive (the redis image).
"""
import argparse
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkpoint_bench import Pv  # noqa: E402

med = statistics.median


def spread(xs):
    return f"{min(xs):.2f}-{max(xs):.2f}"


class PingClient(threading.Thread):
    """One connection to redis, PING every 100 ms, the longest gap between PONGs."""

    def __init__(self, addr, port):
        super().__init__(daemon=True)
        self.addr, self.port = addr, port
        self.stop = threading.Event()
        self.pongs, self.longest, self.failure = 0, 0.0, ""

    def run(self):
        try:
            with socket.create_connection((self.addr, self.port), timeout=120) as s:
                s.settimeout(120)
                reader = s.makefile("rb")
                last = time.monotonic()
                while not self.stop.is_set():
                    s.sendall(b"PING\r\n")
                    if reader.readline() != b"+PONG\r\n":
                        self.failure = f"after {self.pongs} answers: no PONG"
                        return
                    now = time.monotonic()
                    self.longest = max(self.longest, now - last)
                    last = now
                    self.pongs += 1
                    time.sleep(0.1)
        except OSError as e:
            self.failure = f"after {self.pongs} answers: {e}"


def redis_answers(addr, port):
    try:
        with socket.create_connection((addr, port), timeout=5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16) == b"+PONG\r\n"
    except OSError:
        return False


def redis_command(addr, port, line):
    with socket.create_connection((addr, port), timeout=600) as s:
        s.settimeout(600)
        s.sendall(line.encode() + b"\r\n")
        return s.makefile("rb").readline().decode().strip()


def migrate_with_client(pv, source, target, addr, live):
    client = PingClient(addr, 6379)
    client.start()
    time.sleep(1.5)
    args = ["container", "migrate", source, "redis", "--to", target] + (["--live"] if live else [])
    report = pv(*args)
    time.sleep(1.5)
    client.stop.set()
    client.join(150)
    if client.failure:
        sys.exit(f"the client's connection broke during a {'live' if live else 'stop-and-copy'} migration: "
                 f"{client.failure}")
    return client.longest, report["downtime_ms"] / 1000


def downtime(pv, vm1, vm2, rounds):
    pv("image", "create", "redis", "--packages", "redis-server")
    results = {}
    for mib in (64, 256):
        info = pv("container", "create", vm1, "redis", "--image", "redis", "--", "redis-server", "--bind", "0.0.0.0",
                  "--protected-mode", "no", "--save", "", "--appendonly", "no", "--enable-debug-command", "yes")
        addr = info["address"]
        for _ in range(100):
            if redis_answers(addr, 6379):
                break
            time.sleep(0.3)
        else:
            sys.exit(f"redis-server does not answer at {addr}:6379")
        redis_command(addr, 6379, f"DEBUG POPULATE {mib * 1024} key 1024")
        live, stop, reported_live, reported_stop = [], [], [], []
        where = [vm1, vm2]
        for _ in range(rounds):
            gap, rep = migrate_with_client(pv, where[0], where[1], addr, True)
            live.append(gap)
            reported_live.append(rep)
            where.reverse()
            gap, rep = migrate_with_client(pv, where[0], where[1], addr, False)
            stop.append(gap)
            reported_stop.append(rep)
            where.reverse()
        if redis_command(addr, 6379, "DBSIZE") != f":{mib * 1024}":
            sys.exit("redis lost keys across the migrations")
        pv("container", "rm", "--force", where[0], "redis")
        results[mib] = (live, stop, reported_live, reported_stop)
    print(f"client-observed downtime of a redis container migrating between VMs ({rounds} rounds each way, "
          f"medians, seconds; one held connection, PING every 100 ms, never reset):")
    for mib, (live, stop, rl, rs) in results.items():
        print(f"  {mib:3d} MiB  live {med(live):6.2f} ({spread(live)})   stop-and-copy {med(stop):6.2f} "
              f"({spread(stop)})   ratio {med(live) / med(stop):.2f}   (target <= 0.35)   "
              f"[manager's downtime: live {med(rl):.2f}, stop-and-copy {med(rs):.2f}]")


def send_bytes(addr, port, total):
    chunk = b"x" * (1 << 20)
    with socket.create_connection((addr, port), timeout=60) as s:
        s.settimeout(300)
        start = time.monotonic()
        s.sendall(b"discard\n")
        for _ in range(total >> 20):
            s.sendall(chunk)
        s.shutdown(socket.SHUT_WR)
        got = s.makefile().readline().strip()
        seconds = time.monotonic() - start
    if got != str(total):
        sys.exit(f"the receiver at {addr} counted {got!r} bytes, not {total}")
    return total / seconds / 1e6


def throughput(pv, vm, rounds):
    total = 64 << 20
    addr = pv("container", "create", vm, "sink", "--", "pidvisor-testload", "serve", "5001")["address"]
    pv.sh(vm, "setsid pidvisor-testload serve 5002 </dev/null >/dev/null 2>&1 &")
    vm_addr = ""
    for _ in range(300):
        shown = pv("vm", "show", vm)
        if shown.get("addresses"):
            vm_addr = shown["addresses"][0].split("/")[0]
            break
        time.sleep(0.3)
    if not vm_addr:
        sys.exit(f"VM {vm} has no address")
    time.sleep(1)
    to_container, to_vm = [], []
    for _ in range(rounds):
        to_container.append(send_bytes(addr, 5001, total))
        to_vm.append(send_bytes(vm_addr, 5002, total))
    pv("container", "rm", "--force", vm, "sink")
    print(f"TCP throughput from the host, 64 MiB per round ({rounds} rounds, medians, MB/s):")
    print(f"  to a container {med(to_container):7.1f} ({spread(to_container)})   to its VM {med(to_vm):7.1f} "
          f"({spread(to_vm)})   ratio {med(to_container) / med(to_vm):.2f}   (target >= 0.8)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--kernel", default="container")
    ap.add_argument("--accel", default="auto")
    ap.add_argument("--parts", default="downtime,throughput")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    if os.geteuid() != 0:
        print("network_bench: SKIPPED: needs root (qemu:///system)")
        return
    if os.environ.get("PIDVISOR_NETWORK_ISOLATED") != "1":
        print("network_bench: SKIPPED: runs only on an isolated test network (make bench sets it)")
        return
    if "downtime" in parts and shutil.which("mmdebstrap") is None:
        print("network_bench: SKIPPED: mmdebstrap is not installed (make deps installs it)")
        return
    work = tempfile.mkdtemp(prefix="pvbench-net-")
    os.environ["PIDVISOR_IMAGES_DIR"] = f"{work}/images"
    pv = Pv(os.path.join(work, "inventory.db"))
    vm1, vm2 = f"bench-net1-{os.getpid()}", f"bench-net2-{os.getpid()}"
    try:
        for vm in (vm1, vm2):
            pv("vm", "create", vm, "--kernel", args.kernel, "--accel", args.accel, "--memory", "1536")
        if "throughput" in parts:
            throughput(pv, vm1, args.rounds)
        if "downtime" in parts:
            downtime(pv, vm1, vm2, args.rounds)
    finally:
        for vm in (vm1, vm2):
            pv("vm", "rm", "--force", vm)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
