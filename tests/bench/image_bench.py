#!/usr/bin/env python3
"""Container image benchmarks, each against a raw baseline in the same run:

1. Image build from Debian packages (redis-server, python3): `pidvisor
   image create` with a cold cache (every .deb downloaded) and a warm one,
   against plain `mmdebstrap --variant=apt --include=...` of the same
   packages (which downloads every time).
2. Container create in a VM from an image whose disk is attached, against
   a container on the guest's own root (target <= 1.2); the hot-plug of an
   image disk (the same create when the VM does not have the disk yet:
   attach, guest SCSI scan, mount; the volume is already in the pool).
3. Checkpoint and restore of redis-server from that image with 10,000 keys
   and with 200 MiB of data, against raw `criu dump` / `criu restore` of
   the same kind of tree with the same work around it (the writable layer
   archived, an overlay over the image mounted) (target <= 1.10). Every
   restore is checked with redis' DEBUG DIGEST of the whole data set.

    tests/bench/image_bench.py [--rounds N] [--kernel container|stock] [--parts build,create,redis]
Needs root, libvirtd (packaging/libvirt-services.sh start), mmdebstrap and
the Debian archive reachable (part 1 downloads on purpose).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkpoint_bench import BIN, Pv, timed  # noqa: E402

PACKAGES = "redis-server,python3"
med = statistics.median


def spread(xs):
    return f"{min(xs):.2f}-{max(xs):.2f}"


def wall(argv, env=None):
    start = time.monotonic()
    p = subprocess.run(argv, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"{' '.join(argv)}: {p.stderr.strip()[-800:]}")
    return time.monotonic() - start


def build(rounds, work):
    cold, warm, raw = [], [], []
    for i in range(rounds):
        env = dict(os.environ, PIDVISOR_IMAGES_DIR=f"{work}/images-{i}", PIDVISOR_CACHE=f"{work}/cache-{i}")
        db = f"{work}/build-{i}.db"
        cold.append(wall([os.path.join(BIN, "pidvisor"), "--db", db, "image", "create", "b", "--packages", PACKAGES],
                         env))
        # The same build again on the warm cache (a new name: a new build).
        warm.append(wall([os.path.join(BIN, "pidvisor"), "--db", f"{work}/build-{i}w.db", "image", "create", "b",
                          "--packages", PACKAGES], env))
        raw.append(wall(["mmdebstrap", "--quiet", "--variant=apt", f"--include={PACKAGES}", "trixie",
                         f"{work}/raw-{i}", "http://deb.debian.org/debian"]))
        for d in (f"{work}/images-{i}", f"{work}/cache-{i}", f"{work}/raw-{i}"):
            shutil.rmtree(d, ignore_errors=True)
    print(f"image build from Debian packages ({PACKAGES}; {rounds} rounds, medians, seconds):")
    print(f"  pidvisor cold cache {med(cold):6.1f} ({spread(cold)})   warm cache {med(warm):6.1f} ({spread(warm)})   "
          f"raw mmdebstrap {med(raw):6.1f} ({spread(raw)})")
    print(f"  ratios to mmdebstrap: cold {med(cold) / med(raw):.2f}   warm {med(warm) / med(raw):.2f}")


def create(pv, vm, rounds):
    # One container holds the image, so its disk stays attached.
    pv("container", "create", vm, "holder", "--image", "servers", "--", "sleep", "100000")
    image, guest, plug = [], [], []
    for i in range(rounds * 2):
        t = wall([os.path.join(BIN, "pidvisor"), "--db", pv.db, "container", "create", vm, f"i{i}", "--image",
                  "servers", "--", "sleep", "100000"])
        image.append(t)
        guest.append(wall([os.path.join(BIN, "pidvisor"), "--db", pv.db, "container", "create", vm, f"g{i}", "--",
                           "sleep", "100000"]))
        pv("container", "rm", "--force", vm, f"i{i}")
        pv("container", "rm", "--force", vm, f"g{i}")
    pv("container", "rm", "--force", vm, "holder")
    for i in range(rounds):
        # No container uses the image now: its disk is detached, so this
        # create attaches it again.
        plug.append(wall([os.path.join(BIN, "pidvisor"), "--db", pv.db, "container", "create", vm, f"p{i}",
                          "--image", "servers", "--", "sleep", "100000"]))
        pv("container", "rm", "--force", vm, f"p{i}")
    print(f"container create through the CLI ({rounds * 2} rounds, medians, seconds):")
    print(f"  from the attached image {med(image):.2f} ({spread(image)})   on the guest root {med(guest):.2f} "
          f"({spread(guest)})   ratio {med(image) / med(guest):.2f}   (target <= 1.2)")
    print(f"  with the image disk hot-plugged first {med(plug):.2f} ({spread(plug)}): "
          f"hot-plug + scan + mount {1000 * (med(plug) - med(image)):.0f} ms")


def redis(pv, vm, rounds, image_hex):
    lower = f"/run/pidvisor/images/{image_hex}/rootfs"
    pv("container", "create", vm, "cli", "--image", "servers", "--", "sleep", "100000")

    def rc(port, *args):
        r = pv("container", "exec", vm, "cli", "--", "redis-cli", "-p", str(port), *args)
        return r["stdout"].strip()

    def answers(port):
        p = subprocess.run([os.path.join(BIN, "pidvisor"), "--db", pv.db, "--json", "container", "exec", vm, "cli",
                            "--", "redis-cli", "-p", str(port), "ping"], capture_output=True, text=True)
        return p.returncode == 0 and "PONG" in p.stdout

    def start(name, port, fill):
        pv("container", "create", vm, name, "--image", "servers", "--", "redis-server", "--port", str(port),
           "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--enable-debug-command", "yes")
        for _ in range(100):
            if answers(port):
                break
            time.sleep(0.3)
        else:
            sys.exit(f"redis-server {name} does not answer on port {port}")
        if fill == "keys":
            pv("container", "exec", vm, "cli", "--", "sh", "-c",
               f"seq 1 10000 | sed 's/.*/SET key& value&/' | redis-cli -p {port} >/dev/null")
        else:
            rc(port, "DEBUG", "POPULATE", "200000", "key", "1024")
        return rc(port, "DEBUG", "DIGEST")

    results = {}
    for fill in ("keys", "200mib"):
        ours = {"dump": [], "restore": []}
        raw = {"dump": [], "restore": []}
        for i in range(rounds):
            port = 6400 + i
            digest = start(f"o{i}", port, fill)
            ours["dump"].append(timed(pv, vm, f"pidvisor-agent container checkpoint o{i} --id ob-{i}"))
            # The checkpointed container stays (stopped): the restore is a new name.
            ours["restore"].append(timed(pv, vm, f"pidvisor-agent container restore ob-{i} --name o{i}r"))
            if rc(port, "DEBUG", "DIGEST") != digest:
                sys.exit(f"pidvisor's restore of o{i} changed redis' data")
            pv.sh(vm, f"pidvisor-agent container rm --force o{i}r && pidvisor-agent container rm --force o{i} && "
                      f"pidvisor-agent checkpoint rm ob-{i}")

            port = 6500 + i
            digest = start(f"r{i}", port, fill)
            init = pv("container", "info", vm, f"r{i}")["init_pid"]
            upper = f"/var/lib/pidvisor/containers/r{i}/upper"
            d = f"/var/lib/pidvisor/rawbench-{i}"
            raw["dump"].append(timed(pv, vm, f"mkdir -p {d}/img && criu dump -t {init} -D {d}/img -W {d} "
                                             f"-o dump.log && tar -C {upper} -cf {d}/rootfs.tar ."))
            pv.sh(vm, f"mkdir -p {d}/u {d}/w {d}/m")
            raw["restore"].append(timed(pv, vm, f"tar -C {d}/u -xf {d}/rootfs.tar && mount -t overlay o -o "
                                                f"lowerdir={lower},upperdir={d}/u,workdir={d}/w {d}/m && "
                                                f"criu restore -D {d}/img -W {d} -o restore.log --root {d}/m -d "
                                                f"--pidfile {d}/pid"))
            if rc(port, "DEBUG", "DIGEST") != digest:
                sys.exit(f"raw criu's restore of r{i} changed redis' data")
            pv.sh(vm, f"kill -9 $(cat {d}/pid); sleep 0.5; umount -l {d}/m; rm -rf {d}")
            pv("container", "rm", "--force", vm, f"r{i}")
        results[fill] = (ours, raw)
    pv("container", "rm", "--force", vm, "cli")
    for fill, (ours, raw) in results.items():
        what = "10,000 keys" if fill == "keys" else "200 MiB of data"
        print(f"redis-server checkpoint and restore in the VM, {what} ({rounds} rounds, medians, seconds; "
              f"DEBUG DIGEST checked after every restore):")
        for step in ("dump", "restore"):
            print(f"  {step:<8} pidvisor {med(ours[step]):6.2f} ({spread(ours[step])})   raw criu "
                  f"{med(raw[step]):6.2f} ({spread(raw[step])})   ratio {med(ours[step]) / med(raw[step]):.2f}   "
                  f"(target <= 1.10)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--kernel", default="container")
    ap.add_argument("--accel", default="auto")
    ap.add_argument("--parts", default="build,create,redis")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    if os.geteuid() != 0:
        print("image_bench: SKIPPED: needs root (qemu:///system, mmdebstrap in root mode)")
        return
    if shutil.which("mmdebstrap") is None:
        print("image_bench: SKIPPED: mmdebstrap is not installed (make deps installs it)")
        return
    work = tempfile.mkdtemp(prefix="pvbench-img-")
    os.environ["PIDVISOR_IMAGES_DIR"] = f"{work}/images"
    pv = Pv(os.path.join(work, "inventory.db"))
    try:
        if "build" in parts:
            build(args.rounds, work)
        if parts & {"create", "redis"}:
            img = pv("image", "create", "servers", "--packages", PACKAGES)
            vm = f"bench-img-{os.getpid()}"
            pv("vm", "create", vm, "--kernel", args.kernel, "--accel", args.accel, "--memory", "1536")
            try:
                if "create" in parts:
                    create(pv, vm, args.rounds)
                if "redis" in parts:
                    redis(pv, vm, args.rounds, img["digest"].split(":")[1])
            finally:
                pv("vm", "rm", "--force", vm)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
