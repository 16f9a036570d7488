# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # globals shared with build-image.sh
# Shared helpers of the guest image recipe (sourced by build-image.sh).
# Logging goes to stderr: "progress <percent> <stage> <text>" lines for
# machines, "build-image: ..." lines for people. stdout stays clean.

log() { printf 'build-image: %s\n' "$*" >&2; }

# One line with the reason, then a non-zero exit.
# shellcheck disable=SC2034 # failed_cmd is build-image.sh's
die() {
    printf 'build-image: error: %s\n' "$*" >&2
    failed_cmd='' # read by build-image.sh's exit trap
    exit 1
}

progress() {
    ((${quiet_progress:-0})) && return 0
    local pct=$1
    shift
    printf 'progress %d %s\n' "$pct" "$*" >&2
}

sha256_file() { sha256sum <"$1" | cut -d' ' -f1; }
sha256_text() { sha256sum | cut -d' ' -f1; }

json_str() {
    local s=${1//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\n'/\\n}
    s=${s//$'\t'/\\t}
    printf '"%s"' "$s"
}

# A field of a small JSON file, without jq (python3 is a build dependency).
json_get() {
    python3 -c 'import json,sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v.get(k) if isinstance(v, dict) else None
print("" if v is None else v)' "$1" "$2"
}

# Writes stdin to FILE through a temporary file and a rename, so that readers
# never see half of it.
write_atomic() {
    local file=$1 tmp
    tmp="$file.tmp-$$"
    cat >"$tmp" && mv -f "$tmp" "$file"
}

is_elf() { [[ $(head -c 4 "$1" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]; }

# The Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY (type 18) is what lets QEMU
# boot an uncompressed vmlinux through PVH.
has_pvh_note() {
    readelf -n "$1" 2>/dev/null | grep -Eq '^[[:space:]]*Xen[[:space:]].*(0x00000012|PHYS32_ENTRY)'
}

# QEMU runs as libvirt-qemu: every directory on the way to the image must be
# traversable by others. Only warns: the parents are not ours to change.
warn_untraversable() {
    local d=$1
    while [[ $d != / && -n $d ]]; do
        if [[ -d $d && $(stat -c %A "$d") != d????????[xt] ]]; then
            log "warning: $d is not traversable by other users; a system libvirt cannot boot images under it"
            return 0
        fi
        d=$(dirname "$d")
    done
}

# prune_parts KIND: keeps the 3 most recently used parts of a kind (each use
# touches its .complete), so that old package versions do not pile up.
prune_parts() {
    local kind=$1 old
    while IFS= read -r old; do
        rm -rf "$(dirname "$old")"
    done < <(ls -1t "$images/.parts/$kind"-*/.complete 2>/dev/null | tail -n +4)
}
