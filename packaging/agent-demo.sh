#!/usr/bin/env bash
# A tour of pidvisor-agent on this machine (root): start the daemon, make a
# container with a private pid space, look inside, stop and remove it.
#   packaging/agent-demo.sh BIN_DIR
set -euo pipefail
bin="${1:-build/bin}"
dir=$(mktemp -d /tmp/pidvisor-demo.XXXXXX)
agent=("$bin/pidvisor-agent" --socket "$dir/agent.sock")
"$bin/pidvisor-agent" serve --socket "$dir/agent.sock" --state-dir "$dir/state" 2>"$dir/agent.log" &
daemon=$!
cleanup() {
    "${agent[@]}" container rm --force hello >/dev/null 2>&1 || true
    kill "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 100); do [[ -S "$dir/agent.sock" ]] && break; sleep 0.05; done

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
step "${agent[@]}" info
step "${agent[@]}" container create hello --hostname demo -- /bin/sh -c 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 1; done & sleep 100000'
sleep 1.2
step "${agent[@]}" container list
step "${agent[@]}" container ps hello
step "${agent[@]}" container exec hello -- sh -c 'echo "inside: hostname $(hostname), my pid $$, pids visible: $(ls -d /proc/[0-9]* | tr "\n" " ")"'
step "${agent[@]}" container logs hello
step "${agent[@]}" container stop hello --timeout 1
step "${agent[@]}" container rm hello
printf '\nThe agent kept its state in %s while it ran. See README.md for VMs and the desktop app.\n' "$dir/state"
