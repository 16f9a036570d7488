#!/bin/bash
# A user outside the 'libvirt' group (nobody) asks the system libvirt for
# its VMs: refused, with the error naming the group, and nothing written.
#   nonroot_denied.sh PIDVISOR_BINARY
set -euo pipefail
pidvisor=$1
home=$(mktemp -d /tmp/pv-nonroot.XXXXXX)
trap 'rm -rf "$home"' EXIT
# A copy: the build tree may sit where nobody cannot reach it.
cp "$pidvisor" "$home/pidvisor"
chown -R nobody "$home"
pidvisor=$home/pidvisor
id -nG nobody | grep -qw libvirt && { echo "SKIP: nobody is in the libvirt group here"; exit 77; }
status=0
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups env -i HOME="$home" XDG_DATA_HOME="$home/data" \
    XDG_CACHE_HOME="$home/cache" PATH=/usr/bin:/bin "$pidvisor" --connect qemu:///system vm list 2>&1) || status=$?
echo "$out"
((status != 0)) || { echo "FAIL: a user outside the libvirt group listed the system's VMs"; exit 1; }
grep -q "'libvirt' group" <<<"$out" || { echo "FAIL: the error does not name the libvirt group"; exit 1; }
echo "ok: refused (exit $status), the error names the group"
