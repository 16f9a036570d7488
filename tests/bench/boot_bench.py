#!/usr/bin/env python3
"""Boot to agent-ready: `pidvisor vm create` against raw qemu-system-x86_64.

Both boot the same kernel and initramfs with the same accelerator in one run,
interleaved, N rounds. Raw QEMU is timed from its start until the agent's
READY line appears on its serial console; `pidvisor vm create` as the whole
command (image check, upload, define, start, handshake over the agent channel),
with the boot-to-ready it measures itself shown too. Destroy: `pidvisor vm
destroy` against killing raw QEMU.

    tests/bench/boot_bench.py [--rounds N] [--accel tcg|kvm] [--kernel stock|container]
Needs root, libvirtd (packaging/libvirt-services.sh start) and the image.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("PIDVISOR_BIN_DIR", os.path.join(ROOT, "build", "bin"))


def pidvisor(db, *args):
    out = subprocess.run([os.path.join(BIN, "pidvisor"), "--db", db, "--json", *args],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"pidvisor {' '.join(args)} failed: {out.stderr.strip()}")
    return json.loads(out.stdout) if out.stdout.strip() else None


def raw_qemu(image, accel, memory, workdir):
    """Seconds from exec to READY on the serial console, and to exit after kill."""
    sock = os.path.join(workdir, "agent.sock")
    cmd = ["qemu-system-x86_64", "-machine", f"q35,accel={accel}", "-cpu", "max" if accel == "tcg" else "host",
           "-m", str(memory), "-smp", "1", "-nodefaults", "-no-user-config", "-display", "none",
           "-kernel", image["kernel"], "-initrd", image["initrd"], "-append", image["cmdline"] + " pidvisor.hostname=raw",
           "-serial", "stdio", "-device", "virtio-serial-pci",
           "-chardev", f"socket,id=agent,path={sock},server=on,wait=off",
           "-device", "virtserialport,chardev=agent,name=org.pidvisor.agent.0",
           "-device", "virtio-rng-pci"]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    ready = None
    buf = b""
    while ready is None:
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        buf += chunk
        if b"READY" in buf:
            ready = time.monotonic() - start
        buf = buf[-64:]
    t0 = time.monotonic()
    proc.kill()
    proc.wait()
    destroy = time.monotonic() - t0
    if ready is None:
        sys.exit("raw QEMU never printed READY")
    return ready, destroy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--accel", default="tcg")
    ap.add_argument("--kernel", default="stock")
    ap.add_argument("--memory", type=int, default=512)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("boot_bench: SKIPPED: needs root (qemu:///system)")
        return
    work = tempfile.mkdtemp(prefix="pvbench-boot-")
    db = os.path.join(work, "inventory.db")
    img = pidvisor(db, "guest-image", "build", "--kernel", args.kernel)
    image = {"kernel": img["kernel_path"], "initrd": img["initrd_path"], "cmdline": img["cmdline"]}

    raw_ready, raw_destroy, pv_total, pv_ready, pv_destroy = [], [], [], [], []
    for i in range(args.rounds):
        r, d = raw_qemu(image, args.accel, args.memory, work)
        raw_ready.append(r)
        raw_destroy.append(d)
        name = f"bench-boot-{os.getpid()}-{i}"
        t0 = time.monotonic()
        vm = pidvisor(db, "vm", "create", name, "--accel", args.accel, "--memory", str(args.memory),
                      "--kernel", args.kernel)
        pv_total.append(time.monotonic() - t0)
        pv_ready.append(vm["boot_to_ready_ms"] / 1000.0)
        t0 = time.monotonic()
        pidvisor(db, "vm", "destroy", name)
        pv_destroy.append(time.monotonic() - t0)
        pidvisor(db, "vm", "rm", name)

    med = statistics.median
    print(f"boot to agent ready ({args.rounds} rounds, accel {args.accel}, kernel {args.kernel}, {args.memory} MiB):")
    print(f"  raw qemu start -> READY on serial          median {med(raw_ready):7.2f} s  {['%.2f' % x for x in raw_ready]}")
    print(f"  pidvisor vm create (whole command)         median {med(pv_total):7.2f} s  {['%.2f' % x for x in pv_total]}")
    print(f"  pidvisor boot-to-ready (start -> hello)    median {med(pv_ready):7.2f} s")
    print(f"  ratio vm create / raw qemu (medians): {med(pv_total) / med(raw_ready):.3f}   (target <= 1.15)")
    print(f"  ratio boot-to-ready / raw qemu:       {med(pv_ready) / med(raw_ready):.3f}")
    print("destroy:")
    print(f"  raw qemu kill+wait                         median {med(raw_destroy):7.3f} s")
    print(f"  pidvisor vm destroy (whole command)        median {med(pv_destroy):7.3f} s")


if __name__ == "__main__":
    main()
