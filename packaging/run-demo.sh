#!/usr/bin/env bash
# `make run`: start libvirt if needed, build the guest image, create (or
# reuse) the VM `demo` with a container `hello`, and show how to reach them.
#   packaging/run-demo.sh [BIN_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="${1:-$root/build/bin}"
kernel="${PIDVISOR_KERNEL:-container}"
pv() { "$bin/pidvisor" "$@"; }
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

PIDVISOR_BIN_DIR="$bin" "$root/packaging/libvirt-services.sh" start
say "Guest image (kernel: $kernel)"
pv guest-image build --kernel "$kernel"

state=$(pv --json vm show demo 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])' || echo absent)
case "$state" in
absent) say "Creating VM demo"; pv vm create demo --kernel "$kernel" --disk 256 ;;
running) say "VM demo is running" ;;
missing) say "VM demo was deleted outside Pidvisor: recreating it"; pv vm rm demo; pv vm create demo --kernel "$kernel" --disk 256 ;;
*) say "Starting VM demo"; pv vm start demo ;;
esac

if ! pv container info demo hello >/dev/null 2>&1; then
    say "Creating container hello"
    pv container create demo hello --init -- /bin/sh -c 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 2; done'
elif [[ "$(pv --json container info demo hello | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')" != running ]]; then
    say "Recreating container hello (it had stopped)"
    pv container rm demo hello
    pv container create demo hello --init -- /bin/sh -c 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 2; done'
fi

say "VMs"
pv vm list
say "Containers in demo"
pv container list demo
say "Processes of hello: virtual pid (inside) and global pid (in the VM)"
pv container ps demo hello
cat <<EOF2

Reach them:
  $bin/pidvisor container exec demo hello -- sh -c 'echo my pid is \$\$'
  $bin/pidvisor container logs demo hello
  $bin/pidvisor vm console demo            (serial console; Ctrl-] leaves)
  $bin/pidvisor vm show demo               virsh -c qemu:///system dominfo demo
  $bin/pidvisor ops                        (the audit log)
EOF2

if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
    say "Opening the desktop app"
    exec "$bin/pidvisor-gui" --connect qemu:///system
fi
printf '\nNo display here, so the CLI showed it. On a desktop, `make run` (or %s) opens the app;\n' "$bin/pidvisor-gui"
printf 'a picture of it: %s --screenshot /tmp/pidvisor.png\n' "$bin/pidvisor-gui"
