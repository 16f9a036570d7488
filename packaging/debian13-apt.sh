#!/usr/bin/env bash
# Private apt for Debian 13 (trixie) packages, used to assemble guest userlands
# and to fetch the kernel source. It never touches the host's apt sources or
# its dpkg database: every apt directory lives under the Pidvisor cache.
#
#   debian13-apt.sh update                 refresh the package lists (skipped when fresh)
#   debian13-apt.sh download PKG...        download PKG and its dependency closure,
#                                          print the .deb paths (cached; offline when cached)
#   debian13-apt.sh version PKG            print the candidate version of PKG
#   debian13-apt.sh dir                    print the private apt directory
#
# Environment: PIDVISOR_CACHE (default /var/cache/pidvisor as root, else
# ${XDG_CACHE_HOME:-~/.cache}/pidvisor), PIDVISOR_DEBIAN_MIRROR
# (default http://deb.debian.org/debian), PIDVISOR_APT_MAX_AGE (seconds before
# lists are refreshed, default 86400).
set -euo pipefail

if [[ -z "${PIDVISOR_CACHE:-}" ]]; then
    if [[ $(id -u) -eq 0 ]]; then PIDVISOR_CACHE=/var/cache/pidvisor
    else PIDVISOR_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/pidvisor"; fi
fi
mirror="${PIDVISOR_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
max_age="${PIDVISOR_APT_MAX_AGE:-86400}"
root="$PIDVISOR_CACHE/apt-trixie"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

mkdir -p "$root"/{lists/partial,archives/partial,state,log}
[[ -e "$root/status" ]] || : >"$root/status"
printf 'deb [signed-by=%s] %s trixie main\n' "$keyring" "$mirror" >"$root/sources.list"

apt_opts=(
    -o "Dir::Etc::SourceList=$root/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
    -o "Dir::State=$root/state" -o "Dir::State::Lists=$root/lists"
    -o "Dir::State::status=$root/status" -o "Dir::Cache=$root"
    -o "Dir::Cache::Archives=$root/archives" -o "Dir::Log=$root/log"
    -o Debug::NoLocking=1 -o APT::Architecture=amd64
    -o APT::Install-Recommends=0 -o APT::Get::Assume-Yes=1
)

lists_fresh() {
    local stamp="$root/lists/.pidvisor-updated"
    [[ -e "$stamp" ]] || return 1
    (($(date +%s) - $(stat -c %Y "$stamp") < max_age))
}

do_update() {
    if lists_fresh; then return 0; fi
    if apt-get "${apt_opts[@]}" update >"$root/log/update.log" 2>&1; then
        touch "$root/lists/.pidvisor-updated"
    elif compgen -G "$root/lists/*_Packages" >/dev/null; then
        echo "debian13-apt: cannot refresh Debian 13 package lists, using the cached ones (see $root/log/update.log)" >&2
    else
        echo "debian13-apt: cannot fetch Debian 13 package lists from $mirror (see $root/log/update.log)" >&2
        return 1
    fi
}

cmd="${1:-}"; shift || true
# apt runs unlocked here (Debug::NoLocking: no root-owned lock files in the
# cache), so callers that run side by side (the kernel build and a
# configure fetching CRIU's .proto files) take turns on one lock instead:
# two updates in one lists directory break each other.
if [[ "$cmd" != dir ]]; then
    exec 9>"$root/.lock"
    flock 9
fi
case "$cmd" in
update) do_update ;;
download)
    (($# > 0)) || { echo "debian13-apt: download needs package names" >&2; exit 2; }
    do_update
    # --download-only against an empty status resolves the whole closure;
    # .debs already in the archive are reused, so a rebuild needs no network.
    apt-get "${apt_opts[@]}" --print-uris install "$@" >"$root/log/uris.txt" 2>"$root/log/resolve.log" || {
        echo "debian13-apt: cannot resolve $*: $(tail -n 3 "$root/log/resolve.log" | tr '\n' ' ')" >&2; exit 1; }
    apt-get "${apt_opts[@]}" --download-only install "$@" >"$root/log/download.log" 2>&1 || {
        echo "debian13-apt: download of $* failed (see $root/log/download.log)" >&2; exit 1; }
    # Every package of the closure, by the file name apt gave it.
    apt-get "${apt_opts[@]}" -s install "$@" 2>/dev/null | awk '/^Inst /{print $2, $3}' | tr -d '()[]' |
        while read -r name version; do
            ver="${version//:/%3a}"
            f=$(compgen -G "$root/archives/${name}_${ver}_*.deb" | head -n 1 || true)
            [[ -n "$f" ]] || { echo "debian13-apt: $name $version is missing from the cache" >&2; exit 1; }
            echo "$f"
        done
    ;;
version)
    (($# == 1)) || { echo "debian13-apt: version needs one package name" >&2; exit 2; }
    do_update
    v=$(apt-cache "${apt_opts[@]}" policy "$1" | awk '/Candidate:/{print $2}')
    [[ -n "$v" && "$v" != "(none)" ]] || { echo "debian13-apt: no package $1 in Debian 13" >&2; exit 1; }
    echo "$v"
    ;;
dir) echo "$root" ;;
*) echo "usage: debian13-apt.sh update|download PKG...|version PKG|dir" >&2; exit 2 ;;
esac
