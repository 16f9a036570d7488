#!/usr/bin/env bash
# Build a container image's root filesystem from Debian packages, with their
# maintainer scripts run (users, groups, configuration files), by mmdebstrap.
#
#   debian-image.sh --suite trixie --packages P1,P2 --out DIR [--mode auto|root|unshare]
#
# Writes DIR/rootfs (which must not exist yet, or be empty): the "apt"
# variant (the Essential:yes set plus apt, so that `apt-get install` works
# inside the container) plus P1,P2 and their dependencies. The tree has an
# empty /dev (the container gets its own), no apt lists or .deb files, and
# empty /etc/hostname and /etc/resolv.conf (the container's runtime supplies
# both; an empty file is a mount target on a read-only image).
# --mode: root (as root, the default there; run in private mount and pid
# namespaces), unshare (the default otherwise: user namespaces with
# /etc/subuid and /etc/subgid ranges).
#
# stdout: one line per installed package, NAME=VERSION, sorted. stderr:
# "progress <percent> <stage> <text>" lines and "debian-image: ..." lines.
# Exit codes: 2 usage, 3 a package is not in the suite, 4 no package lists
# (the mirror is unreachable and nothing is cached), 1 anything else.
#
# Cache under $PIDVISOR_CACHE/apt-<suite>-images/ (outside the image): the
# .deb files (archives/, bind-mounted into the build) and the package lists
# (lists/, refreshed after PIDVISOR_APT_MAX_AGE seconds, default 86400), so a
# rebuild with warm caches needs no network. One build at a time uses it
# (a lock). Environment: PIDVISOR_CACHE (default /var/cache/pidvisor as
# root, else ${XDG_CACHE_HOME:-~/.cache}/pidvisor), PIDVISOR_DEBIAN_MIRROR
# (default http://deb.debian.org/debian), PIDVISOR_APT_MAX_AGE.
set -euo pipefail

log() { printf 'debian-image: %s\n' "$*" >&2; }
die() { log "error: $1"; exit "${2:-1}"; }
stage=start
progress() { printf 'progress %d %s %s\n' "$1" "$stage" "$2" >&2; }
usage() {
    sed -n '5,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

suite='' packages='' out='' mode=auto
while (($#)); do
    case "$1" in
    --suite) suite=${2:-}; shift 2 || usage ;;
    --packages) packages=${2:-}; shift 2 || usage ;;
    --out) out=${2:-}; shift 2 || usage ;;
    --mode) mode=${2:-}; shift 2 || usage ;;
    -h | --help) usage ;;
    *) log "unknown option $1"; usage ;;
    esac
done
[[ -n "$suite" && -n "$packages" && -n "$out" ]] || usage
[[ $suite =~ ^[a-z]+$ ]] || die "suite '$suite' is not a Debian code name" 2
IFS=', ' read -r -a pkgs <<<"$packages"
((${#pkgs[@]} > 0)) || die "no packages given" 2
for p in "${pkgs[@]}"; do
    # Debian policy 5.6.7: also keeps apt patterns and paths out of --include.
    [[ $p =~ ^[a-z0-9][a-z0-9+.-]+$ ]] || die "'$p' is not a Debian package name" 2
done
if [[ $mode == auto ]]; then
    if [[ $(id -u) -eq 0 ]]; then mode=root; else mode=unshare; fi
fi
[[ $mode == root || $mode == unshare ]] || die "mode '$mode' is not root or unshare" 2
command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed (apt-get install mmdebstrap)"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -r $keyring ]] || die "$keyring is missing (apt-get install debian-archive-keyring)"
if [[ $mode == root ]]; then
    [[ $(id -u) -eq 0 ]] || die "mode root needs root"
elif [[ $(id -u) -ne 0 ]]; then
    me=$(id -un)
    if ! command -v newuidmap >/dev/null || ! grep -q "^$me:" /etc/subuid 2>/dev/null ||
        ! grep -q "^$me:" /etc/subgid 2>/dev/null || ! unshare --user --map-root-user true 2>/dev/null; then
        die "building as $me needs user namespaces and subordinate ids (uidmap installed, $me in /etc/subuid and /etc/subgid); or run as root"
    fi
fi

if [[ -z "${PIDVISOR_CACHE:-}" ]]; then
    if [[ $(id -u) -eq 0 ]]; then PIDVISOR_CACHE=/var/cache/pidvisor
    else PIDVISOR_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/pidvisor"; fi
fi
mirror="${PIDVISOR_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
max_age="${PIDVISOR_APT_MAX_AGE:-86400}"
# Not debian13-apt.sh's apt-trixie/: that one is read and written by guest
# image builds under their own rules, while this archive is bind-mounted
# into builds that run maintainer scripts.
root="$PIDVISOR_CACHE/apt-$suite-images"
rootfs="$out/rootfs"
started=$(date +%s)

mkdir -p "$root"/{archives/partial,lists/partial,state,log} "$out"
[[ -e "$root/status" ]] || : >"$root/status"
if [[ -e "$rootfs" ]]; then
    [[ -d "$rootfs" && -z "$(ls -A "$rootfs")" ]] || die "$rootfs already exists and is not empty"
    rmdir "$rootfs"
fi
log_file="$root/log/mmdebstrap.log"

# A failed build leaves no half tree behind. After the build's namespaces
# are gone nothing is mounted in it; --one-file-system still guards.
on_exit() {
    local rc=$?
    if ((rc != 0)) && [[ -d "$rootfs" ]]; then
        if [[ $mode == unshare && $(id -u) -ne 0 ]]; then
            mmdebstrap --unshare-helper rm -rf --one-file-system "$rootfs" 2>/dev/null || true
        else
            rm -rf --one-file-system "$rootfs" || true
        fi
    fi
}
trap on_exit EXIT

exec 9>"$root/lock"
if ! flock -n 9; then
    progress 1 "waiting for another image build to release $root"
    flock 9
fi

# --- Package lists ----------------------------------------------------------
apt_opts() { # LISTS
    printf '%s\n' -o "Dir::Etc::SourceList=$root/sources.list" -o Dir::Etc::SourceParts=/dev/null \
        -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
        -o "Dir::State=$root/state" -o "Dir::State::Lists=$1" -o "Dir::State::status=$root/status" \
        -o "Dir::Cache=$root" -o "Dir::Cache::Archives=$root/archives" -o "Dir::Log=$root/log" \
        -o Debug::NoLocking=1 -o Acquire::Languages=none -o APT::Install-Recommends=0
}
source_line() { printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$1" "$suite"; }
lists_ready() { compgen -G "$root/lists/*_Packages*" >/dev/null && [[ -s "$root/lists.mirror" ]]; }

# Fresh lists of the same mirror: no network at all. Otherwise update into a
# copy and swap it in only when apt succeeded, so that a failed update (no
# network, another mirror) never loses the cached lists.
update_lists() {
    local age
    if lists_ready && [[ $(<"$root/lists.mirror") == "$mirror" ]]; then
        age=$(($(date +%s) - $(stat -c %Y "$root/lists.mirror")))
        ((age < max_age)) && { progress 3 "cached package lists ($((age / 60)) min old)"; return 0; }
    fi
    progress 3 "updating the package lists from $mirror"
    rm -rf "$root/lists.new" "$root/lists.old"
    cp -a "$root/lists" "$root/lists.new"
    source_line "$mirror" >"$root/sources.list"
    local -a opts
    mapfile -t opts < <(apt_opts "$root/lists.new")
    # --error-on=any: apt otherwise exits 0 when nothing could be fetched.
    if apt-get "${opts[@]}" update --error-on=any >"$root/log/update.log" 2>&1 &&
        compgen -G "$root/lists.new/*_Packages*" >/dev/null; then
        mv "$root/lists" "$root/lists.old" && mv "$root/lists.new" "$root/lists"
        rm -rf "$root/lists.old"
        printf '%s\n' "$mirror" >"$root/lists.mirror"
        # .deb files that the new lists no longer offer.
        mapfile -t opts < <(apt_opts "$root/lists")
        apt-get "${opts[@]}" autoclean >>"$root/log/update.log" 2>&1 || true
    elif lists_ready; then
        rm -rf "$root/lists.new"
        log "cannot refresh the package lists from $mirror, using the cached ones of $(<"$root/lists.mirror") (see $root/log/update.log)"
    else
        rm -rf "$root/lists.new"
        die "cannot fetch the $suite package lists from $mirror (see $root/log/update.log)" 4
    fi
}

stage=lists
update_lists
# The mirror the lists came from: apt files lists by mirror URI.
list_mirror=$(<"$root/lists.mirror")
source_line "$list_mirror" >"$root/sources.list"

# Resolving first turns a typo into a clear error before any download.
stage=resolve
progress 6 "${pkgs[*]}"
mapfile -t opts < <(apt_opts "$root/lists")
if ! apt-get "${opts[@]}" -s install "${pkgs[@]}" >"$root/log/resolve.log" 2>&1; then
    missing=$(sed -n 's/^E: Unable to locate package \(.*\)$/\1/p' "$root/log/resolve.log" | head -n 1)
    [[ -z "$missing" ]] || die "no package $missing in Debian $suite" 3
    die "cannot install ${pkgs[*]}: $(grep '^E:' "$root/log/resolve.log" | head -n 3 | tr '\n' ' ')"
fi

# --- The build ----------------------------------------------------------------
# The hooks bind the .deb cache into the tree, so apt reuses and keeps the
# files (hence --skip=essential/unlink), and unbind it before mmdebstrap's
# end; apt's cleanup of the tree is ours (below), so nothing ever cleans
# through a bind mount into the cache. The lists are copied in (packages
# unpack directories over /var/lib/apt/lists; 20 MB), --skip=update. mmdebstrap replaces policy-rc.d and
# start-stop-daemon during the build: maintainer scripts start no daemons.
export PV_ARCHIVES="$root/archives" PV_LISTS="$root/lists"
# shellcheck disable=SC2016 # $1 and PV_* are the hook shell's to expand
mm_args=(
    --variant=apt --mode="$mode" --include="$(
        IFS=,
        echo "${pkgs[*]}"
    )"
    --skip=update --skip=essential/unlink --skip=cleanup/apt
    --setup-hook='mkdir -p "$1/var/cache/apt/archives" "$1/var/lib/apt/lists"'
    --setup-hook='mount --bind "$PV_ARCHIVES" "$1/var/cache/apt/archives"'
    --setup-hook='find "$PV_LISTS" -maxdepth 1 -type f -name "*_*" -exec cp -p -t "$1/var/lib/apt/lists/" {} +'
    --customize-hook='umount "$1/var/cache/apt/archives"'
    "$suite" "$rootfs" "$(source_line "$list_mirror")"
)
# Root mode mounts in the caller's namespace: give it private mount and pid
# namespaces, so that no mount and no process started by a maintainer
# script outlives the build.
runner=()
[[ $mode == root ]] && runner=(unshare --mount --propagation private --pid --fork --kill-child --)

# mmdebstrap's "I:" lines are its stages.
stage_of() {
    case "$1" in
    *"downloading packages"*) echo "15 download essential packages and apt" ;;
    *"extracting archives"*) echo "35 extract the essential packages" ;;
    *"installing essential packages"*) echo "45 essential install the essential packages" ;;
    *"installing remaining packages"*) echo "65 install ${pkgs[*]}" ;;
    *"running --customize-hook"*) echo "85 customize release the cache" ;;
    *"skipping cleanup/apt"*) echo "90 cleanup mmdebstrap's cleanup" ;;
    esac
}
: >"$log_file"
set +e
"${runner[@]}" mmdebstrap "${mm_args[@]}" </dev/null 2>&1 | while IFS= read -r line; do
    printf '%s\n' "$line" >>"$log_file"
    if [[ $line == I:* ]]; then
        read -r pct stage text <<<"$(stage_of "$line")"
        [[ -z "${pct:-}" ]] || progress "$pct" "$text"
    fi
done
rc=${PIPESTATUS[0]}
set -e
if ((rc != 0)); then
    grep -E '^(E|W): ' "$log_file" | tail -n 4 >&2 || true
    die "mmdebstrap failed with status $rc (see $log_file)"
fi

# --- Tidy: what an image must not carry ---------------------------------------
stage=tidy
progress 95 "empty /dev, no apt lists or archives, no host names"
find "$rootfs/dev" -xdev -mindepth 1 -delete
# The partial/ directories belong to the apt package: kept, emptied.
for d in "$rootfs/var/lib/apt/lists" "$rootfs/var/cache/apt/archives"; do
    [[ -d "$d" && ! -L "$d" ]] || continue
    find "$d" -xdev -mindepth 1 ! -path "$d/partial" -delete
done
rm -f "$rootfs"/var/cache/apt/*.bin
# mmdebstrap copied the host's files in; a file a package made a symlink is
# left alone (writing through it could leave the tree).
for f in etc/hostname etc/resolv.conf; do
    if [[ ! -L "$rootfs/$f" ]]; then
        rm -f "$rootfs/$f"
        : >"$rootfs/$f"
        chmod 644 "$rootfs/$f"
    fi
done

installed=$(dpkg-query -W --admindir="$rootfs/var/lib/dpkg" -f '${db:Status-Abbrev} ${Package}=${Version}\n' |
    awk '$1 == "ii" { print $2 }' | LC_ALL=C sort)
for p in "${pkgs[@]}"; do
    grep -q "^$p=" <<<"$installed" || die "$p is not installed in the image (see $log_file)"
done
stage='done'
progress 100 "$(wc -l <<<"$installed") packages in $(($(date +%s) - started)) s"
printf '%s\n' "$installed"
