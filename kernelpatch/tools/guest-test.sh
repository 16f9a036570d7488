#!/usr/bin/env bash
# End-to-end check of a built container kernel: boot it under QEMU (TCG unless
# --kvm) with a small initramfs made from Debian 13 packages (busybox-static,
# criu) plus the static proc_container kselftest, then inside the guest:
# exercise /proc/container by hand, run the kselftest and `criu check --all`,
# and power off.
#
#   tools/guest-test.sh [--kvm] [--bzimage] [KERNEL_DIR]
#
# KERNEL_DIR defaults to the output of build-kernel.sh. The guest's serial
# console is copied to stdout; the exit status is 0 when the kselftest
# passed and the kernel log shows no BUG/WARNING/lockdep/KASAN report. A line
# "host: /init reached after N s" gives the boot time. Needs qemu-system-x86,
# cpio and zstd on the host.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
apt_sh="$here/../../packaging/debian13-apt.sh"

accel=tcg
image=vmlinux
while (($#)); do
    case "$1" in
    --kvm) accel=kvm; shift ;;
    --bzimage) image=bzImage; shift ;;
    -*) echo "usage: guest-test.sh [--kvm] [--bzimage] [KERNEL_DIR]" >&2; exit 2 ;;
    *) break ;;
    esac
done
kdir=${1:-$("$here/../build-kernel.sh")}
[[ -f "$kdir/$image" ]] || { echo "guest-test: no $kdir/$image" >&2; exit 1; }

if [[ -z "${PIDVISOR_CACHE:-}" ]]; then
    if [[ $(id -u) -eq 0 ]]; then PIDVISOR_CACHE=/var/cache/pidvisor
    else PIDVISOR_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/pidvisor"; fi
fi
export PIDVISOR_CACHE

work=$(mktemp -d "${TMPDIR:-/tmp}/pidvisor-guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"

# Guest userland: busybox and criu from Debian 13 (merged /usr).
mapfile -t debs < <("$apt_sh" download busybox-static criu)
for d in "${debs[@]}"; do dpkg-deb -x "$d" "$root"; done
for l in bin sbin lib; do ln -sfn "usr/$l" "$root/$l"; done
ln -sfn usr/lib64 "$root/lib64"
mkdir -p "$root/usr/lib64"
ln -sfn ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/usr/lib64/ld-linux-x86-64.so.2"
for app in $("$root/usr/bin/busybox" --list); do
    [[ -e "$root/usr/bin/$app" || -e "$root/usr/sbin/$app" ]] || ln -s busybox "$root/usr/bin/$app"
done
rm -rf "$root"/usr/share/{doc,man,locale,lintian}
mkdir -p "$root"/{dev,proc,sys,tmp,run,root,mnt,selftests}
mknod -m 600 "$root/dev/console" c 5 1
cp "$kdir/selftests/proc_container_test" "$root/selftests/"

cat >"$root/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mount -t devtmpfs devtmpfs /dev
[ -e /dev/ptmx ] || echo "no /dev/ptmx; /dev has: $(ls /dev | tr '\n' ' ')"
mkdir -p /dev/pts && mount -t devpts -o ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
echo "PIDVISOR-INIT uptime=$(cut -d' ' -f1 /proc/uptime) release=$(uname -r)"

ip link set lo up

echo "== by hand"
cat /proc/container
cat /proc/self/container
# Each write is done by a child shell, so that this init stays out of the
# containers (busybox runs some subshells without forking, so no "( )").
# The first child after a write is the container's init; the trailing
# "true" stops sh from exec'ing its last command in place.
sh -c 'echo foo > /proc/container && echo "write foo: ok"
  echo bar > /proc/container || echo "second write: EBUSY expected"
  sh -c "echo init: pid \$\$ container \$(cat /proc/self/container); true" &
  wait; true'
sh -c 'echo foo > /proc/container && echo "foo reusable after its init exited: ok"; true'
sh -c 'echo bad/name > /proc/container || echo "bad/name: EINVAL expected"; true'
sh -c 'echo system > /proc/container || echo "system: EEXIST expected"; true'
sh -c 'echo nested > /proc/container; sh /nested.sh; true'
cat /proc/container

echo "== kselftest"
/selftests/proc_container_test
echo "KSELFTEST-EXIT $?"

echo "== criu check --all"
criu --version
# In its own session: as a child of pid 1 it would have process group 0,
# which autofs refuses (pgrp=0 mount option).
setsid criu check --all
echo "CRIU-CHECK-ALL-EXIT $?"
# Name the features that are missing, if any (the names criu 4.1 knows).
for f in mnt_id mem_dirty_track aio_remap timerfd tun_ns userns fdinfo_lock \
    seccomp_suspend cgroupns tcp_half_closed compat_cr uffd uffd-noncoop \
    can_map_vdso sk_ns sk_unix_file net_diag_raw link_nsid kcmp_epoll timens \
    external_net_ns clone3_set_tid newifindex has_ipt_legacy ns_pid \
    apparmor_stacking network_lock_nftables sockopt_buf_lock memfd_hugetlb \
    openat2 get_rseq_conf ipv6_freebind pagemap_scan overlayfs_maps; do
    setsid criu check --feature "$f" >/tmp/feature.log 2>&1 ||
        echo "CRIU-FEATURE-MISSING $f: $(grep -v '^$' /tmp/feature.log | tr '\n' ' ')"
done
setsid criu check
echo "CRIU-CHECK-EXIT $?"
# Kernel splats (lockdep, KASAN, WARN, BUG) anywhere in the run?
if dmesg | grep -E "BUG:|WARNING:|KASAN:|circular locking|recursive locking|inconsistent lock|suspicious RCU|Call Trace"; then
    echo "KERNEL-SPLAT"
else
    echo "NO-KERNEL-SPLAT"
fi
echo "PIDVISOR-DONE uptime=$(cut -d' ' -f1 /proc/uptime)"
poweroff -f
EOF
chmod 755 "$root/init"

# Runs as init of the container "nested": mounts its own proc, starts
# "inner" below it and shows both views.
cat >"$root/nested.sh" <<'EOF'
mount -t proc proc /mnt
echo inner > /proc/container
sh -c 'sleep 2; true' &
sleep 0.5
echo "seen from system:"; cat /proc/container
echo "seen from nested (its own proc mount):"; cat /mnt/container
echo "inner's init is pid $! in nested, its container: $(cat /mnt/$!/container)"
umount /mnt
wait
EOF

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | zstd -q -3 -T0 >"$work/initrd.zst"
echo "host: initramfs $(du -h "$work/initrd.zst" | cut -f1)" >&2

start=$(date +%s.%N)
timeout 600 qemu-system-x86_64 -machine "q35,accel=$accel" -cpu max -smp 2 -m 1024 \
    -kernel "$kdir/$image" -initrd "$work/initrd.zst" \
    -append "console=ttyS0 panic=-1 quiet" \
    -nographic -no-reboot -nodefaults -serial stdio </dev/null |
    while IFS= read -r line; do
        line=${line%$'\r'}
        printf '%s\n' "$line"
        case $line in
        *PIDVISOR-INIT*)
            echo "host: /init reached after $(echo "$(date +%s.%N) - $start" | bc) s" ;;
        esac
    done | tee "$work/console.log"
grep -q '^KSELFTEST-EXIT 0$' "$work/console.log" && ! grep -q '^KERNEL-SPLAT$' "$work/console.log"
