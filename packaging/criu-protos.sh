#!/usr/bin/env bash
# CRIU's own .proto files, for the agent's generated protobuf-c code.
#
#   criu-protos.sh dir            print a directory holding rpc.proto,
#                                 pstree.proto and stats.proto (cached)
#   criu-protos.sh install DEST   copy those files into DEST
#
# The guest runs Debian 13's criu 4.1.1. Its .deb ships no .proto file, but
# Debian 13's golang-github-checkpoint-restore-go-criu-dev carries CRIU's
# rpc.proto and the image .protos, copied from CRIU itself (MIT). The package
# comes through packaging/debian13-apt.sh's private apt (apt-get download +
# dpkg -x: the host's apt sources and dpkg database are untouched) and the
# files are kept under $PIDVISOR_CACHE/criu-protos/<package version>/, so a
# later run needs no network. Without network and lists, the newest cached
# version is used.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
apt_sh="$here/debian13-apt.sh"
package=golang-github-checkpoint-restore-go-criu-dev
# Where each file sits in the package, below the go-criu source root.
files=(rpc/rpc.proto crit/images/pstree.proto stats/stats.proto)

if [[ -z "${PIDVISOR_CACHE:-}" ]]; then
    if [[ $(id -u) -eq 0 ]]; then PIDVISOR_CACHE=/var/cache/pidvisor
    else PIDVISOR_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/pidvisor"; fi
fi
export PIDVISOR_CACHE
cache="$PIDVISOR_CACHE/criu-protos"

complete() { # DIR holds every file
    local f
    for f in "${files[@]}"; do [[ -s "$1/$(basename "$f")" ]] || return 1; done
}

newest_cached() {
    local d
    d=$(find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name '.*' 2>/dev/null | sort -V | tail -n 1)
    [[ -n "$d" ]] && complete "$d" && echo "$d"
}

fetch() ( # VERSION -> cache dir; a subshell, so that its trap cleans up
    version=$1 dest="$cache/${1//:/%3a}"
    if complete "$dest"; then echo "$dest"; exit 0; fi
    root=$("$apt_sh" dir)
    mkdir -p "$cache"
    tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    # apt-get download checks the .deb against the signed package lists.
    (cd "$tmp" && apt-get -q \
        -o "Dir::Etc::SourceList=$root/sources.list" -o Dir::Etc::SourceParts=/dev/null \
        -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
        -o "Dir::State=$root/state" -o "Dir::State::Lists=$root/lists" \
        -o "Dir::State::status=$root/status" -o "Dir::Cache=$root" \
        -o "Dir::Cache::Archives=$root/archives" -o "Dir::Log=$root/log" \
        -o Debug::NoLocking=1 -o APT::Architecture=amd64 -o APT::Sandbox::User=root \
        download "$package=$version" >"$tmp/download.log" 2>&1) || {
        echo "criu-protos: cannot download $package $version: $(tail -n 2 "$tmp/download.log" | tr '\n' ' ')" >&2
        exit 1
    }
    dpkg-deb -x "$tmp"/"$package"_*.deb "$tmp/x"
    src=$(find "$tmp/x/usr/share/gocode/src/github.com/checkpoint-restore" -maxdepth 2 -type d -name 'v*' | sort -V | tail -n 1)
    [[ -n "$src" ]] || { echo "criu-protos: $package $version has no go-criu source tree" >&2; exit 1; }
    mkdir -p "$tmp/out"
    for f in "${files[@]}"; do
        [[ -s "$src/$f" ]] || { echo "criu-protos: $package $version has no $f" >&2; exit 1; }
        cp "$src/$f" "$tmp/out/"
    done
    echo "$package $version" >"$tmp/out/SOURCE"
    rm -rf "$dest"
    mv "$tmp/out" "$dest"
    echo "$dest"
)

resolve() {
    local version
    if version=$("$apt_sh" version "$package" 2>/dev/null); then
        fetch "$version" && return 0
    fi
    if newest_cached; then
        echo "criu-protos: Debian 13's $package is unreachable, using the cached files" >&2
        return 0
    fi
    echo "criu-protos: cannot obtain CRIU's .proto files ($package from Debian 13); set -DPIDVISOR_CRIU_PROTO_DIR to a directory holding ${files[*]##*/}" >&2
    return 1
}

cmd="${1:-}"; shift || true
case "$cmd" in
dir) resolve ;;
install)
    (($# == 1)) || { echo "criu-protos: install needs a destination directory" >&2; exit 2; }
    src=$(resolve)
    mkdir -p "$1"
    for f in "${files[@]}"; do cp "$src/$(basename "$f")" "$1/"; done
    ;;
*) echo "usage: criu-protos.sh dir|install DEST" >&2; exit 2 ;;
esac
