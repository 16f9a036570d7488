#!/usr/bin/env python3
"""Boot a guest image with plain QEMU (TCG unless --kvm) and check it end to end.

    boot-test.py IMAGE_DIR [--disk FILE.qcow2] [--append ARGS] [--boot-only]
                 [--runs N] [--kvm] [--nice N] [--keep] [--smp N] [--tcg-multi]

Prints one line per check ("ok NAME detail" or "FAIL NAME detail") and the
timings: QEMU start to the agent's READY line on the serial console, the
agent's hello round trip, poweroff to QEMU exit. Exit status 0 when every
check passed. --boot-only (with --runs N) measures boots and powers off.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pvclient  # noqa: E402

failures = []


def check(name, ok, detail=""):
    print(f"{'ok' if ok else 'FAIL'} {name} {detail}".rstrip(), flush=True)
    if not ok:
        failures.append(name)
    return ok


class Vm:
    def __init__(self, image, work, disk, append, kvm, nice, smp=2, single=False):
        self.work = work
        self.sock = os.path.join(work, "agent.sock")
        self.console = os.path.join(work, "console.log")
        manifest = json.load(open(os.path.join(image, "manifest.json")))
        cmdline = manifest["cmdline"] + (" " + append if append else "")
        accel = "kvm" if kvm else ("tcg,thread=single" if single else "tcg,thread=multi")
        cmd = ["nice", "-n", str(nice), "qemu-system-x86_64",
               "-machine", "q35", "-accel", accel,
               "-cpu", "host" if kvm else "max", "-m", "1024", "-smp", str(smp),
               "-nographic", "-nodefaults", "-no-reboot", "-display", "none",
               "-kernel", os.path.join(image, "kernel"),
               "-initrd", os.path.join(image, "initrd.img"),
               "-append", cmdline,
               "-device", "virtio-serial-pci",
               "-chardev", f"socket,id=agent,path={self.sock},server=on,wait=off",
               "-device", "virtserialport,chardev=agent,name=org.pidvisor.agent.0",
               "-serial", f"file:{self.console}"]
        if disk:
            cmd += ["-drive", f"file={disk},if=virtio,format=qcow2"]
        self.start = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)

    def wait_line(self, text, timeout, after=0):
        """Seconds since QEMU started when the console has `text` past offset
        `after`, or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open(self.console, "rb") as f:
                    f.seek(after)
                    if text.encode() in f.read():
                        return time.monotonic() - self.start
            except FileNotFoundError:
                pass
            if self.proc.poll() is not None:
                return None
            time.sleep(0.02)
        return None

    def cpu_seconds(self):
        """CPU time QEMU used so far: less sensitive to a loaded host than
        wall time."""
        with open(f"/proc/{self.qemu_pid()}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def qemu_pid(self):
        # The child is nice(1), which execs QEMU: same pid.
        return self.proc.pid

    def console_size(self):
        try:
            return os.path.getsize(self.console)
        except FileNotFoundError:
            return 0

    def call(self, cmd, args=None, timeout=60):
        return pvclient.call(self.sock, cmd, args or {}, timeout)

    def run(self, argv, timeout=60):
        h, _ = self.call("guest-exec", {"argv": argv}, timeout)
        return h.get("result") or {}, h

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def full_checks(vm, disk):
    h, _ = vm.call("hello", {"client": "boot-test"})
    r = h.get("result", {})
    caps = r.get("capabilities", {})
    check("hello", h.get("ok"), f"{h['_round_trip_ms']} ms, kernel {r.get('kernel_release')}, "
          f"criu {json.dumps(caps.get('criu'))}, cgroups {json.dumps(caps.get('cgroups'))}, "
          f"pid_space {caps.get('pid_space')}")
    times = []
    for _ in range(5):
        h, _ = vm.call("hello")
        times.append(h["_round_trip_ms"])
    print(f"time hello_round_trip_ms {sorted(times)[2]} (median of 5: {times})")

    for argv in (["criu", "check"], ["criu", "check", "--all"]):
        res, _ = vm.run(argv, timeout=120)
        out = (res.get("stdout", "") + res.get("stderr", "")).strip().replace("\n", " | ")
        check(" ".join(argv), res.get("exit_code") == 0, out)

    h, _ = vm.call("container-create", {"name": "t", "argv": ["/bin/sh", "-c", "sleep 1000 & sleep 1000"]})
    check("container-create t", h.get("ok"), json.dumps(h.get("error")) if not h.get("ok") else "")
    h, _ = vm.call("container-ps", {"name": "t"})
    procs = (h.get("result") or {}).get("processes", [])
    first = procs[0] if procs else {}
    check("container-ps t", first.get("vpid") == 1 and first.get("pid", 1) != 1,
          " ".join(f"vpid={p['vpid']}/pid={p['pid']}" for p in procs))

    h, _ = vm.call("container-create", {"name": "m", "argv": ["/bin/sleep", "1000"], "memory_mib": 64})
    res, _ = vm.run(["cat", "/sys/fs/cgroup/pidvisor/m/memory.max"])
    check("container-create memory_mib=64", h.get("ok") and res.get("stdout", "").strip() == "67108864",
          f"memory.max={res.get('stdout', '').strip()}" if h.get("ok") else json.dumps(h.get("error")))

    if disk:
        res, _ = vm.run(["sh", "-c", "grep ' /var/lib/pidvisor ' /proc/mounts"])
        check("data disk", "/dev/vda /var/lib/pidvisor ext4" in res.get("stdout", ""), res.get("stdout", "").strip())

    # Runtime kernel text patching (a static key flipped while the other vCPU
    # schedules): kills guests under multi-threaded TCG (see --tcg-multi).
    res, _ = vm.run(["sh", "-c", "f=/proc/sys/kernel/sched_schedstats; [ -w $f ] || exit 0; "
                     "(while :; do /bin/true; done) & for i in $(seq 1 100); do echo 1 >$f; echo 0 >$f; done; "
                     "kill $!; echo toggled"], timeout=120)
    check("kernel text patching", res.get("stdout", "").strip() in ("toggled", ""), res.get("stdout", "").strip())

    # Kill the agent: busybox init respawns it and it finds its containers.
    mark = vm.console_size()
    try:
        vm.run(["sh", "-c", "kill -9 $(pidof pidvisor-agent)"], timeout=3)
    except (TimeoutError, ConnectionError, OSError):
        pass
    back = vm.wait_line("READY", 30, after=mark)
    h, _ = vm.call("hello", timeout=30)
    h2, _ = vm.call("container-list")
    names = [c["name"] for c in (h2.get("result") or {}).get("containers", [])]
    check("agent respawn", back is not None and h.get("ok") and "t" in names, f"containers {names}")


def poweroff(vm):
    t0 = time.monotonic()
    try:
        vm.run(["poweroff"], timeout=10)
    except (TimeoutError, ConnectionError, OSError):
        pass
    try:
        vm.proc.wait(timeout=30)
        took = time.monotonic() - t0
        check("poweroff", vm.proc.returncode == 0, f"QEMU exited {took:.2f} s after the request")
        return took
    except subprocess.TimeoutExpired:
        check("poweroff", False, "QEMU still runs 30 s after poweroff")
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("image")
    ap.add_argument("--disk")
    ap.add_argument("--append", default="")
    ap.add_argument("--boot-only", action="store_true")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--kvm", action="store_true")
    ap.add_argument("--nice", type=int, default=5)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--smp", type=int, default=2)
    # QEMU 7.2's multi-threaded TCG lets a vCPU run stale code while another
    # one patches kernel text (static keys): the guest dies of "Oops: int3".
    # One host thread for all vCPUs does not; --tcg-multi shows the crash.
    ap.add_argument("--tcg-multi", action="store_true",
                    help="one host thread per vCPU (-accel tcg,thread=multi)")
    a = ap.parse_args()
    for run in range(a.runs):
        work = tempfile.mkdtemp(prefix="pidvisor-boot-")
        vm = Vm(a.image, work, a.disk, a.append, a.kvm, a.nice, a.smp, not a.tcg_multi)
        try:
            ready = vm.wait_line("READY", 300)
            check("boot", ready is not None, f"READY after {ready:.2f} s" if ready else "no READY line")
            if ready is None:
                sys.stdout.write(open(vm.console, errors="replace").read()[-3000:])
                continue
            sysready = ""
            for line in open(vm.console, errors="replace"):
                if "system ready in" in line:
                    sysready = line.strip()
            print(f"time ready_s {ready:.2f} qemu_cpu_s {vm.cpu_seconds():.2f} ({sysready})")
            if not a.boot_only:
                full_checks(vm, a.disk)
            poweroff(vm)
            oops = [l.strip() for l in open(vm.console, errors="replace") if "Oops" in l or "BUG:" in l]
            check("no kernel oops", not oops, "; ".join(oops)[:300])
        except Exception as e:  # noqa: BLE001 - report, keep the logs
            check("exception", False, repr(e))
        finally:
            vm.stop()
            if a.keep or failures:
                print(f"console log: {vm.console}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
