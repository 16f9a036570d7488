#!/usr/bin/env bash
# Start, stop and inspect the libvirt daemons Pidvisor needs, on machines
# without systemd (development containers, CI).
#
#   libvirt-services.sh start [--owner TAG]   start the D-Bus system bus, virtlogd, then libvirtd,
#                                             each when not running
#   libvirt-services.sh stop [--owner TAG]    stop what `start` started (its domains first);
#                                             with --owner, only what `start --owner TAG` started
#   libvirt-services.sh status                what runs, and who started it
#
# The system bus comes first: libvirtd asks polkit (which dbus starts on
# demand) whether a non-root client may manage it, and libvirt's polkit rule
# lets in members of the 'libvirt' group; a libvirtd started without a bus
# remembers that it had none and turns every non-root client away.
# --owner lets a test run stop the daemons it started itself and leave
# alone daemons that were already running when it began (make run's).
# Each daemon runs in the foreground under `pidvisor-init --subreaper`: the
# QEMU processes libvirtd daemonizes are reparented to that subreaper and
# reaped at once (a slow system init makes `virsh destroy` take seconds).
# State, pid files and logs: /run/pidvisor/ (libvirt-services.state,
# DAEMON.init.pid, DAEMON.log). pidvisor-init comes from $PIDVISOR_BIN_DIR,
# default: build/bin next to this script's directory.
# Exit status: 0 on success (status: virtlogd and libvirtd answer), 1 on failure,
# 3 from status when a daemon is not running.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin_dir=${PIDVISOR_BIN_DIR:-$here/../build/bin}
run_dir=/run/pidvisor
state=$run_dir/libvirt-services.state
uri=qemu:///system
logd_sock=/run/libvirt/virtlogd-sock

say() { printf 'libvirt-services: %s\n' "$*"; }
die() {
    printf 'libvirt-services: error: %s\n' "$*" >&2
    exit 1
}

libvirtd_answers() { timeout 10 virsh -c "$uri" uri >/dev/null 2>&1; }
bus_socket=/run/dbus/system_bus_socket
bus_answers() {
    timeout 10 dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetId >/dev/null 2>&1
}
virtlogd_runs() { [[ -S $logd_sock ]] && pgrep -x virtlogd >/dev/null; }

# The pid of the pidvisor-init that runs DAEMON for us, when it still does
# (a recorded pid may have been reused by another process since).
our_init_pid() {
    local daemon=$1 pid
    pid=$(awk -v d="$daemon" '$1 == d {print $2}' "$state" 2>/dev/null | tail -n 1)
    [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" |
        grep -Eq "pidvisor-init --subreaper -- (/[^ ]*/)?$daemon( |\$)" || return 1
    echo "$pid"
}

daemon_pid() { pgrep -P "$1" -x "$2" 2>/dev/null | head -n 1; }

# start_daemon NAME [ARG...]: runs NAME in the foreground under the
# subreaper, in its own session (so that the caller's terminal and job
# control never reach it).
start_daemon() {
    local name=$1 init=$bin_dir/pidvisor-init pidfile=$run_dir/$1.init.pid
    shift
    [[ -x $init ]] || die "$init is missing: build it first (cmake --build build) or set PIDVISOR_BIN_DIR"
    command -v "$name" >/dev/null || die "$name is not installed (packaging/install-deps.sh installs it)"
    rm -f "$pidfile"
    printf '\n=== %s: starting %s\n' "$(date -Is)" "$name" >>"$run_dir/$name.log"
    # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
    setsid -f sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$pidfile" \
        "$init" --subreaper -- "$(command -v "$name")" "$@" </dev/null >>"$run_dir/$name.log" 2>&1 9>&-
    local i
    for ((i = 0; i < 50; i++)); do
        [[ -s $pidfile ]] && break
        sleep 0.1
    done
    [[ -s $pidfile ]] || die "$name did not start (see $run_dir/$name.log)"
    printf '%s %s %s %s\n' "$name" "$(cat "$pidfile")" "$(date -Is)" "$owner" >>"$state"
}

# The owner tag `start` recorded for DAEMON.
recorded_owner() { awk -v d="$1" '$1 == d {print $4}' "$state" 2>/dev/null | tail -n 1; }

# wait_for NAME TEST SECONDS
wait_for() {
    local name=$1 test=$2 seconds=$3 i init
    for ((i = 0; i < seconds * 10; i++)); do
        "$test" && return 0
        init=$(our_init_pid "$name") || {
            tail -n 20 "$run_dir/$name.log" >&2
            die "$name exited while starting (log above: $run_dir/$name.log)"
        }
        sleep 0.1
    done
    tail -n 20 "$run_dir/$name.log" >&2
    die "$name did not become ready within $seconds s (log above: $run_dir/$name.log)"
}

do_start() {
    [[ $(id -u) -eq 0 ]] || die "the system libvirt daemons need root"
    mkdir -p "$run_dir"
    exec 9>"$run_dir/libvirt-services.lock"
    flock 9

    if bus_answers; then
        say "the D-Bus system bus already runs"
    elif command -v dbus-daemon >/dev/null; then
        pgrep -x dbus-daemon -u messagebus >/dev/null && die "a system dbus-daemon runs but does not answer"
        mkdir -p /run/dbus
        rm -f "$bus_socket" # left by a bus that died
        dbus-uuidgen --ensure
        start_daemon dbus-daemon --system --nofork --nopidfile
        wait_for dbus-daemon bus_answers 30
        say "started the D-Bus system bus (pid $(daemon_pid "$(our_init_pid dbus-daemon)" dbus-daemon))"
        libvirtd_answers && say "libvirtd was started without a bus: restart it to let in the 'libvirt' group"
    else
        say "no dbus-daemon (packaging/install-deps.sh installs it): only root can use libvirtd"
    fi

    if virtlogd_runs; then
        say "virtlogd already running"
    else
        start_daemon virtlogd
        wait_for virtlogd virtlogd_runs 30
        say "started virtlogd (pid $(daemon_pid "$(our_init_pid virtlogd)" virtlogd))"
    fi

    if libvirtd_answers; then
        say "libvirtd already running"
    else
        pgrep -x libvirtd >/dev/null && die "a libvirtd runs but does not answer on $uri"
        start_daemon libvirtd
        wait_for libvirtd libvirtd_answers 90
        say "started libvirtd (pid $(daemon_pid "$(our_init_pid libvirtd)" libvirtd))"
    fi

    # FINDINGS: /dev/kvm may exist without being usable by libvirt-qemu.
    if [[ -e /dev/kvm ]] && getent group kvm >/dev/null; then
        if ! chgrp kvm /dev/kvm || ! chmod 660 /dev/kvm; then
            say "cannot make /dev/kvm usable by the kvm group"
        fi
    fi
}

# stop_daemon NAME: TERM to its pidvisor-init (which forwards it), then KILL.
stop_daemon() {
    local name=$1 init pid i
    init=$(our_init_pid "$name") || return 0
    pid=$(daemon_pid "$init" "$name")
    kill -TERM "$init" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
        kill -0 "$init" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$init" 2>/dev/null; then
        say "$name did not stop within 15 s: killing it"
        [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
        kill -KILL "$init" 2>/dev/null || true
    fi
    say "stopped $name (pid ${pid:-?})"
}

do_stop() {
    [[ $(id -u) -eq 0 ]] || die "the system libvirt daemons need root"
    mkdir -p "$run_dir"
    exec 9>"$run_dir/libvirt-services.lock"
    flock 9
    local ours=() name
    for name in libvirtd virtlogd dbus-daemon; do
        our_init_pid "$name" >/dev/null || continue
        if [[ -n $owner_arg && $(recorded_owner "$name") != "$owner_arg" ]]; then
            say "$name was started by '$(recorded_owner "$name")', not '$owner_arg': leaving it running"
            continue
        fi
        ours+=("$name")
    done
    if ((${#ours[@]} == 0)); then
        say "nothing to stop"
        any_ours || rm -f "$state"
        return 0
    fi
    if [[ " ${ours[*]} " == *" libvirtd "* ]]; then
        # Domains outlive libvirtd: end them while it can still do it.
        local dom
        while IFS= read -r dom; do
            [[ -n $dom ]] || continue
            if virsh -c "$uri" destroy "$dom" >/dev/null 2>&1; then
                say "destroyed domain $dom"
            else
                say "cannot destroy domain $dom"
            fi
        done < <(timeout 30 virsh -c "$uri" list --name 2>/dev/null || true)
        # The tests' isolated network (tests/CMakeLists.txt): its bridge and
        # dnsmasq would outlive libvirtd.
        if timeout 30 virsh -c "$uri" net-list --name 2>/dev/null | grep -qx pidvisor-test; then
            virsh -c "$uri" net-destroy pidvisor-test >/dev/null 2>&1 && say "stopped network pidvisor-test"
        fi
        stop_daemon libvirtd
    fi
    if [[ " ${ours[*]} " == *" virtlogd "* ]]; then
        stop_daemon virtlogd
    fi
    if [[ " ${ours[*]} " == *" dbus-daemon "* ]]; then
        stop_daemon dbus-daemon
        # polkitd, which the bus started, leaves with it.
        rm -f "$bus_socket"
    fi
    any_ours || rm -f "$state"
}

any_ours() { our_init_pid libvirtd >/dev/null || our_init_pid virtlogd >/dev/null || our_init_pid dbus-daemon >/dev/null; }

do_status() {
    local status=0 name init pid since
    for name in dbus-daemon virtlogd libvirtd; do
        if init=$(our_init_pid "$name"); then
            pid=$(daemon_pid "$init" "$name")
            since=$(awk -v d="$name" '$1 == d {print $3}' "$state" | tail -n 1)
            say "$name running (pid ${pid:-?}), started by libvirt-services.sh at $since under pidvisor-init (pid $init)"
        elif pid=$(pgrep -x "$name" | head -n 1) && [[ -n $pid ]]; then
            say "$name running (pid $pid), not started by libvirt-services.sh"
        else
            say "$name not running"
            [[ $name == dbus-daemon ]] || status=3
        fi
    done
    if libvirtd_answers; then
        say "$uri answers; running domains: $(virsh -c "$uri" list --name 2>/dev/null | grep -c . || true)"
    else
        say "$uri does not answer"
        status=3
    fi
    return "$status"
}

command=${1:-}
shift || true
owner_arg=""
if [[ ${1:-} == --owner ]]; then
    [[ -n ${2:-} ]] || die "--owner needs a tag"
    owner_arg=$2
fi
owner=${owner_arg:-manual}

case "$command" in
start) do_start ;;
stop) do_stop ;;
status) do_status ;;
*)
    sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
