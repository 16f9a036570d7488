#!/usr/bin/env python3
"""Checkpoint benchmarks, each against a raw baseline in the same run:

1. Pidvisor checkpoint and restore in a VM (the agent: CRIU, filesystem
   archive, hashing, manifest, pid check) versus raw `criu dump` /
   `criu restore` of the same tree with the same options (target <= 1.10).
2. Migration downtime of a container with a 256 MiB working set: live
   (pre-copy) versus stop-and-copy (target <= 0.35).
3. Checkpoint streaming over the agent channel: the manager's whole path
   (binary frames, sha256 on both ends, files written) versus a bare client
   of the agent's own checkpoint-read (the same frames from the agent, the
   payload dropped unread) (target >= 0.8). Protocol 3 has no raw-bytes
   command in the product agent; this baseline is what the agent's real
   transfer path can give.
4. A user namespace's cost: checkpoint and restore of the same tree in a
   --userns container versus a confined one without, interleaved (ratio
   userns/plain; each round stops the container and restores it as the
   next one, so a copy never runs beside its original's range).

    tests/bench/checkpoint_bench.py [--rounds N] [--kernel container|stock] [--accel auto|tcg|kvm]
Needs root and libvirtd (packaging/libvirt-services.sh start).
"""
import argparse
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("PIDVISOR_BIN_DIR", os.path.join(ROOT, "build", "bin"))
TREE = "pidvisor-testload pipe-writer | pidvisor-testload pipe-reader /tmp/pipe & " \
       "pidvisor-testload memory {mib} /tmp {dirty} & exec pidvisor-testload counter /tmp/counter"


class Pv:
    def __init__(self, db):
        self.db = db

    def __call__(self, *args):
        p = subprocess.run([os.path.join(BIN, "pidvisor"), "--db", self.db, "--json", *args],
                           capture_output=True, text=True)
        if p.returncode != 0 and args[:2] == ("vm", "exec") and p.stdout.strip().startswith("{"):
            return json.loads(p.stdout)  # the command's own exit code; callers look at exit_code
        if p.returncode != 0:
            sys.exit(f"pidvisor {' '.join(args)}: {p.stderr.strip()[-800:]}")
        return json.loads(p.stdout) if p.stdout.strip() else None

    def sh(self, vm, script):
        r = self("vm", "exec", vm, "--timeout", "600", "--", "/bin/sh", "-c", script)
        if r["exit_code"] != 0:
            sys.exit(f"in {vm}: {script[:120]}... exited {r['exit_code']}: {r['stderr'][-600:]}")
        return r["stdout"]


def timed(pv, vm, command, want_output=False):
    """Seconds a command takes inside the VM (measured there), and its output when wanted."""
    r = pv("vm", "exec", vm, "--timeout", "600", "--", "pidvisor-testload", "time",
           command if want_output else f"{command} >/dev/null")
    if r["exit_code"] != 0:
        sys.exit(f"in {vm}: {command[:120]}... exited {r['exit_code']}: {r['stderr'][-600:]}")
    seconds = int(r["stderr"].strip().splitlines()[-1]) / 1e9
    return (seconds, r["stdout"]) if want_output else seconds


def dump_and_restore(pv, vm, rounds):
    init = pv("container", "info", vm, "tree")["init_pid"]
    upper = "/var/lib/pidvisor/containers/tree/upper"
    ours = {"dump": [], "restore": [], "hash": [], "verify": []}
    raw = {"dump": [], "restore": []}
    for i in range(rounds):
        ours["dump"].append(timed(pv, vm, f"pidvisor-agent container checkpoint tree --leave-running --id pvb-{i}"))
        seconds, out = timed(pv, vm, f"pidvisor-agent --json container restore pvb-{i} --name r{i}", True)
        ours["restore"].append(seconds)
        ours["verify"].append(json.loads(out)["durations_ms"]["verify"] / 1000)
        manifest = json.loads(pv.sh(vm, f"cat /var/lib/pidvisor/checkpoints/pvb-{i}/manifest.json"))
        ours["hash"].append(manifest["durations_ms"]["hash"] / 1000)
        pv.sh(vm, f"pidvisor-agent container rm --force r{i} && pidvisor-agent checkpoint rm pvb-{i}")
        d = f"/var/lib/pidvisor/rawbench-{i}"
        # The same work as ours: dump the tree and archive its files.
        raw["dump"].append(timed(pv, vm, f"mkdir -p {d}/img && criu dump -t {init} -D {d}/img -W {d} -o dump.log "
                                         f"--leave-running && tar -C {upper} -cf {d}/rootfs.tar ."))
        # The same work as ours: unpack the files, mount the root, restore.
        pv.sh(vm, f"mkdir -p {d}/u {d}/w {d}/m")
        raw["restore"].append(timed(pv, vm, f"tar -C {d}/u -xf {d}/rootfs.tar && "
                                            f"mount -t overlay o -o lowerdir=/,upperdir={d}/u,workdir={d}/w {d}/m && "
                                            f"criu restore -D {d}/img -W {d} -o restore.log --root {d}/m -d "
                                            f"--pidfile {d}/pid"))
        pv.sh(vm, f"kill -9 $(cat {d}/pid); sleep 0.5; umount -l {d}/m; rm -rf {d}")
    return ours, raw


def userns_cost(pv, vm, rounds):
    """Dump (stopping it) and restore (as the next name) a plain and a --userns tree, interleaved."""
    times = {kind: {"dump": [], "restore": []} for kind in ("plain", "userns")}
    for kind in times:
        pv("container", "create", vm, f"{kind}0", "--network", "none", *(["--userns"] if kind == "userns" else []),
           "--", "/bin/sh", "-c", TREE.format(mib=64, dirty=0))
    time.sleep(3)
    for i in range(rounds):
        for kind in times:
            cur, nxt, cid = f"{kind}{i}", f"{kind}{i + 1}", f"pvu-{kind}-{i}"
            times[kind]["dump"].append(timed(pv, vm, f"pidvisor-agent container checkpoint {cur} --id {cid}"))
            times[kind]["restore"].append(timed(pv, vm, f"pidvisor-agent container restore {cid} --name {nxt}"))
            pv.sh(vm, f"pidvisor-agent container rm --force {cur} && pidvisor-agent checkpoint rm {cid}")
    for kind in times:
        pv.sh(vm, f"pidvisor-agent container rm --force {kind}{rounds}")
    return times


def migration_downtime(pv, args, dirty):
    a, b = f"bench-mig-a-{os.getpid()}", f"bench-mig-b-{os.getpid()}"
    for vm in (a, b):
        # The working set, its pre-copy rounds and the final dump all live in the VMs' RAM.
        pv("vm", "create", vm, "--kernel", args.kernel, "--accel", args.accel, "--memory", "2048")
    try:
        down = {"live": [], "stop": []}
        rounds = []
        for i in range(args.rounds):
            for mode in ("live", "stop"):
                name = f"m{mode}{i}"
                pv("container", "create", a, name, "--", "/bin/sh", "-c", TREE.format(mib=256, dirty=dirty))
                time.sleep(4)
                r = pv("container", "migrate", a, name, "--to", b, *(["--live"] if mode == "live" else []))
                down[mode].append(r["downtime_ms"] / 1000)
                if mode == "live":
                    rounds.append([(x["bytes"] >> 20, x["ms"]) for x in r["rounds"]])
                pv("container", "rm", "--force", b, name)
        return down, rounds
    finally:
        for vm in (a, b):
            pv("vm", "rm", "--force", vm)


def frame(header):
    h = json.dumps(header).encode()
    return b"PVF1" + struct.pack(">II", len(h), 0) + h


class Raw:
    """The agent channel's unix socket, spoken to directly."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = b""

    def recv_exact(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise EOFError
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def discard(self, n):
        """Consumes n payload bytes without keeping them (as fast as the socket gives them)."""
        take = min(n, len(self.buf))
        self.buf = self.buf[take:]
        n -= take
        scratch = bytearray(1 << 20)
        view = memoryview(scratch)
        while n > 0:
            got = self.s.recv_into(view[:min(n, len(scratch))])
            if not got:
                raise EOFError
            n -= got

    def frame(self):
        i = self.buf.find(b"PVF1")
        while i < 0:
            self.buf = self.buf[-3:] + self.s.recv(1 << 16)
            i = self.buf.find(b"PVF1")
        self.buf = self.buf[i:]
        hl, pl = struct.unpack(">II", self.recv_exact(12)[4:])
        header = json.loads(self.recv_exact(hl))
        header["_payload"] = pl
        if pl:
            self.discard(pl)
        return header

    def sync(self):
        for attempt in range(20):
            self.s.sendall(frame({"kind": "request", "id": 900 + attempt, "cmd": "sync", "args": {"nonce": "b"}}))
            self.s.settimeout(1)
            try:
                while True:
                    h = self.frame()
                    if h.get("kind") == "response" and h.get("result", {}).get("nonce") == "b":
                        self.s.settimeout(None)
                        return
            except socket.timeout:
                continue
        sys.exit("the agent channel did not answer")

    def read_file(self, cid, path):
        """checkpoint-read of one file, its data frames' payload dropped."""
        start = time.monotonic()
        self.s.sendall(frame({"kind": "request", "id": 1, "cmd": "checkpoint-read",
                              "args": {"id": cid, "paths": [path]}}))
        size = 0
        while True:
            h = self.frame()
            if h.get("kind") == "data" and h.get("id") == 1:
                size += h["_payload"]
            elif h.get("kind") == "response" and h.get("id") == 1:
                if not h.get("ok"):
                    sys.exit(f"checkpoint-read: {h}")
                break
        return size, time.monotonic() - start


def streaming(pv, vm, rounds):
    ours, raw = [], []
    sock = None
    for i in range(rounds):
        cp = pv("container", "checkpoint", vm, "tree", "--leave-running")
        d = cp["durations"]
        ours.append(d["transfer_bytes"] / (d["transfer_ms"] / 1000) / 2 ** 20)
        pv.sh(vm, f"pidvisor-agent container checkpoint tree --leave-running --id raw-{i}")
        xml = subprocess.run(["virsh", "-c", "qemu:///system", "dumpxml", vm], capture_output=True, text=True).stdout
        sock = [l.split("path='")[1].split("'")[0] for l in xml.splitlines()
                if "org.pidvisor.agent.0" in l and "source mode" in l][0]
        # The channel serves one client at a time: ask for the file first.
        files = pv.sh(vm, f"cd /var/lib/pidvisor/checkpoints/raw-{i}/images && ls -S | head -1").strip()
        r = Raw(sock)
        r.sync()
        size, seconds = r.read_file(f"raw-{i}", f"images/{files}")
        r.s.close()
        raw.append(size / seconds / 2 ** 20)
        pv.sh(vm, f"pidvisor-agent checkpoint rm raw-{i}")
        pv("checkpoint", "rm", cp["id"])
    return ours, raw


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--kernel", default="container")
    ap.add_argument("--accel", default="auto")
    ap.add_argument("--parts", default="dump,userns,stream,migrate", help="a subset of dump,userns,stream,migrate")
    ap.add_argument("--dirty", default="4,16", help="dirty rates of the migrated working set, MiB/s")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    if os.geteuid() != 0:
        print("checkpoint_bench: SKIPPED: needs root (qemu:///system)")
        return
    pv = Pv(os.path.join(tempfile.mkdtemp(prefix="pvbench-ck-"), "inventory.db"))
    med = statistics.median
    vm = f"bench-ck-{os.getpid()}"
    if parts & {"dump", "userns", "stream"}:
        pv("vm", "create", vm, "--kernel", args.kernel, "--accel", args.accel, "--memory", "1024")
        try:
            pv("container", "create", vm, "tree", "--", "/bin/sh", "-c", TREE.format(mib=64, dirty=0))
            time.sleep(3)
            if "dump" in parts:
                ours, raw = dump_and_restore(pv, vm, args.rounds)
                print(f"checkpoint and restore in the VM, 4-process tree with 64 MiB ({args.rounds} rounds, "
                      f"medians, kernel {args.kernel}):")
                for what in ("dump", "restore"):
                    print(f"  {what:<8} pidvisor {med(ours[what]):6.2f} s   raw criu {med(raw[what]):6.2f} s   "
                          f"ratio {med(ours[what]) / med(raw[what]):.2f}   (target <= 1.10)   "
                          f"best rounds {min(ours[what]):.2f} / {min(raw[what]):.2f} = "
                          f"{min(ours[what]) / min(raw[what]):.2f}")
                print(f"  of pidvisor's dump, sha256 of every file: {med(ours['hash']):.2f} s; "
                      f"of its restore, verifying them: {med(ours['verify']):.2f} s")
            if "userns" in parts:
                t = userns_cost(pv, vm, args.rounds)
                print(f"a user namespace's cost, the same 64 MiB tree ({args.rounds} rounds, medians, "
                      f"kernel {args.kernel}):")
                for what in ("dump", "restore"):
                    u, c = t["userns"][what], t["plain"][what]
                    print(f"  {what:<8} --userns {med(u):6.2f} s ({min(u):.2f}-{max(u):.2f})   "
                          f"plain {med(c):6.2f} s ({min(c):.2f}-{max(c):.2f})   ratio {med(u) / med(c):.2f}")
            if "stream" in parts:
                ours_s, raw_s = streaming(pv, vm, args.rounds)
                print("checkpoint streaming over the agent channel (MiB/s, medians):")
                print(f"  pidvisor frames + sha256 {med(ours_s):6.1f}   agent checkpoint-read alone {med(raw_s):6.1f}   "
                      f"ratio {med(ours_s) / med(raw_s):.2f}   (target >= 0.8)")
        finally:
            pv("vm", "rm", "--force", vm)
    if "migrate" in parts:
        for dirty in (int(x) for x in args.dirty.split(",")):
            down, rounds = migration_downtime(pv, args, dirty)
            print(f"migration downtime, 256 MiB working set rewritten at {dirty} MiB/s (seconds, medians):")
            print(f"  live {med(down['live']):6.2f}   stop-and-copy {med(down['stop']):6.2f}   "
                  f"ratio {med(down['live']) / med(down['stop']):.2f}   (target <= 0.35)")
            print(f"  live pre-copy rounds (MiB, ms): {rounds}")


if __name__ == "__main__":
    main()
