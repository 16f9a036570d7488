#!/bin/bash
# A member of the 'libvirt' group, not root, uses the system libvirt the way
# a desktop user does: lists the VMs, creates one (on the test network),
# runs a container in it, opens the desktop app on it (offscreen),
# checkpoints and restores the container, and removes the VM. libvirtd lets the user in through
# polkit (libvirt's rule for the group), which the D-Bus system bus starts;
# the manager reaches the agent through a libvirt stream (the channel's
# socket belongs to QEMU's user) and keeps its inventory and cache in the
# user's XDG directories. The user builds its own guest image there, as
# non-root, from a copy of root's Debian package cache (no download here).
#   nonroot_member.sh BIN_DIR SOURCE_DIR
set -euo pipefail
bin_dir=$1 src=$2
user=pidvisor-test-member
vm=member-$$
getent group libvirt >/dev/null || { echo "SKIP: no 'libvirt' group (libvirt-daemon-system makes it)"; exit 77; }
[[ -S /run/dbus/system_bus_socket ]] ||
    { echo "SKIP: no D-Bus system bus (packaging/libvirt-services.sh start starts one)"; exit 77; }

home=$(mktemp -d /tmp/pv-member.XXXXXX)
cleanup() {
    as_member pidvisor vm rm --force "$vm" >/dev/null 2>&1 || true
    userdel "$user" 2>/dev/null || true
    rm -rf "$home"
}
trap cleanup EXIT
userdel "$user" 2>/dev/null || true # left by a run that was killed
useradd --system --no-create-home --home-dir "$home" --gid nogroup --groups libvirt --shell /usr/sbin/nologin "$user"
# Copies: the build tree may sit where the user cannot reach it.
mkdir -p "$home/bin" "$home/src"
cp "$bin_dir"/{pidvisor,pidvisor-gui,pidvisor-agent,pidvisor-init,pidvisor-testload} "$home/bin/"
cp -a "$src/packaging" "$src/kernelpatch" "$home/src/"
apt_cache=${PIDVISOR_CACHE:-/var/cache/pidvisor}/apt-trixie
[[ -d $apt_cache/archives ]] ||
    { echo "SKIP: no Debian 13 package cache at $apt_cache (vm.setup.image makes it)"; exit 77; }
mkdir -p "$home/cache/pidvisor"
cp -a "$apt_cache" "$home/cache/pidvisor/"
chown -R "$user" "$home"

# as_member PROGRAM ARGS...: pidvisor or pidvisor-gui (the copies in the
# user's bin) as the user, with the user's groups, a clean environment,
# the test network, offscreen Qt, on the system libvirt.
as_member() {
    local program=$1
    shift
    setpriv --reuid="$user" --regid=nogroup --init-groups env -i HOME="$home" PATH=/usr/bin:/bin \
        XDG_DATA_HOME="$home/data" XDG_CACHE_HOME="$home/cache" XDG_RUNTIME_DIR="$home" \
        QT_QPA_PLATFORM=offscreen PIDVISOR_APT_MAX_AGE=315360000 PIDVISOR_SOURCE_DIR="$home/src" \
        PIDVISOR_NETWORK=pidvisor-test PIDVISOR_NETWORK_ISOLATED=1 PIDVISOR_NETWORK_SUBNET=10.84.0.0/24 \
        "$home/bin/$program" --connect qemu:///system "$@"
}
fail() {
    echo "FAIL: $*"
    exit 1
}

status=0
out=$(as_member pidvisor vm list 2>&1) || status=$?
echo "$out"
if ((status != 0)) && grep -q "system bus" <<<"$out"; then
    echo "SKIP: this libvirtd was started before the system bus and cannot ask polkit (restart it)"
    exit 77
fi
((status == 0)) || fail "a member of the libvirt group cannot list the system's VMs (exit $status)"
echo "ok: a member of the libvirt group lists the system's VMs"

out=$(as_member pidvisor vm create "$vm" --kernel stock --memory 512 2>&1) ||
    fail "vm create as a member of the libvirt group: $(tail -5 <<<"$out")"
echo "ok: created VM $vm as $user"
as_member pidvisor vm list | grep -qw "$vm" || fail "VM $vm is not in the user's list"
out=$(as_member pidvisor container create "$vm" c1 --network none -- pidvisor-testload counter /tmp/counter 2>&1) ||
    fail "container create in the user's VM: $(tail -5 <<<"$out")"
as_member pidvisor container list "$vm" | grep -q "c1.*running" ||
    fail "container c1 is not listed running: $(as_member pidvisor container list "$vm" 2>&1)"
echo "ok: a container runs in it (the agent reached without root)"
# The desktop app too, offscreen: it connects, asks the agent, shows c1.
out=$(as_member pidvisor-gui --screenshot "$home/member.png" 2>&1) ||
    fail "pidvisor-gui as the member: $(tail -5 <<<"$out")"
grep -q "the screenshot shows qemu:///system $vm c1" <<<"$out" ||
    fail "the member's window does not show container c1: $(tail -5 <<<"$out")"
[[ $(head -c 8 "$home/member.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "no PNG written"
echo "ok: pidvisor-gui as the member shows container c1 of $vm"
# A checkpoint lands in the user's own store and restores beside it.
out=$(as_member pidvisor --json container checkpoint "$vm" c1 --leave-running 2>"$home/checkpoint.err") ||
    fail "checkpoint as the member: $(tail -5 "$home/checkpoint.err")"
id=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])' <<<"$out")
[[ -n $id && -d $home/data/pidvisor/checkpoints/$id ]] ||
    fail "the checkpoint ($id) is not in the user's store: $(ls "$home/data/pidvisor/checkpoints" 2>&1)"
out=$(as_member pidvisor container restore "$id" --vm "$vm" --name c2 2>&1) ||
    fail "restore as the member: $(tail -5 <<<"$out")"
listed=$(as_member pidvisor container list "$vm" 2>&1)
grep -q "c2.*running" <<<"$listed" || fail "the restored c2 is not running: $listed"
echo "ok: checkpoint $id in the user's store, restored as c2"
inventory=$home/data/pidvisor/inventory.db
[[ -f $inventory && $(stat -c %U "$inventory") == "$user" ]] ||
    fail "the inventory is not the user's own ($inventory)"
echo "ok: the inventory is the user's ($inventory)"
as_member pidvisor vm rm --force "$vm" >/dev/null || fail "vm rm as the member"
virsh -c qemu:///system domstate "$vm" >/dev/null 2>&1 && fail "domain $vm is still defined after vm rm"
echo "ok: removed; libvirt no longer knows $vm"
