#!/usr/bin/env bash
# Builds the Debian packages pidvisor, pidvisor-gui and pidvisor-agent with
# dpkg-buildpackage (packaging/debian/), or takes them from the cache when
# this source tree was built before.
#   packaging/build-deb.sh [--out DIR] [--force]
#   --out DIR   copy the .debs there (default: build/debs)
#   --force     build even when the cache has packages for this tree
#
# Cache: $PIDVISOR_CACHE (default /var/cache/pidvisor as root, else
# $XDG_CACHE_HOME/pidvisor):
#   debs/<version>-<hash>/  the packages of one source tree; <hash> covers
#                    the files the build reads (those git tracks or would
#                    track, see files() below) and the versions of the
#                    compiler and the libraries built against
#   deb-build/       where the package is built: a fixed path, so the
#                    compiler cache below hits across builds
#   ccache-host/     the compiler cache `make build` uses: the package is
#                    compiled with the same flags (debian/rules), so after
#                    `make build` next to nothing is compiled again
# Prints the directory holding the .debs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
out=$repo/build/debs
force=0
while (($#)); do
    case $1 in
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --out=*) out=${1#*=}; shift ;;
    --force) force=1; shift ;;
    -h | --help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-deb: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

die() { echo "build-deb: $*" >&2; exit 1; }
for tool in dpkg-buildpackage dh git ccache rsync; do
    command -v "$tool" >/dev/null || die "$tool is missing (packaging/install-deps.sh installs it)"
done
if [[ -z ${PIDVISOR_CACHE:-} ]]; then
    if [[ $(id -u) -eq 0 ]]; then PIDVISOR_CACHE=/var/cache/pidvisor; else PIDVISOR_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/pidvisor; fi
fi
mkdir -p "$PIDVISOR_CACHE/debs"
# The Makefile's compiler cache (CCACHE_DIR when make exported it).
ccache_dir=${CCACHE_DIR:-$PIDVISOR_CACHE/ccache-host}

# The source tree: what git tracks plus new files it does not ignore, less
# what the package build never reads (the tests but their workload, the
# top-level Makefile and README), so editing a test reuses the packages.
files() {
    git -C "$repo" ls-files -z --cached --others --exclude-standard |
        grep -zv -e '^tests/' -e '^Makefile$' -e '^README.md$' -e '^\.gitignore$' |
        { cat; git -C "$repo" ls-files -z --cached --others --exclude-standard -- tests/workload; } | sort -z
}
version=$(sed -n '1s/^pidvisor (\([^)]*\)).*/\1/p' "$repo/packaging/debian/changelog")
[[ -n $version ]] || die "cannot read the version from packaging/debian/changelog"
hash=$(
    cd "$repo"
    {
        files | xargs -0 -r sha256sum 2>/dev/null || true
        dpkg-query -W -f '${Package} ${Version}\n' g++ cmake qt6-base-dev qt6-charts-dev libvirt-dev libssl-dev \
            libcli11-dev nlohmann-json3-dev libexpected-dev libsqlite3-dev 2>/dev/null
    } | sha256sum | cut -c1-16
)
cached=$PIDVISOR_CACHE/debs/$version-$hash

exec 9>"$PIDVISOR_CACHE/debs/.lock"
flock 9
if ((force == 0)) && [[ -f $cached/complete ]]; then
    echo "build-deb: packages of this tree are cached in $cached" >&2
else
    stage=$PIDVISOR_CACHE/deb-build
    src=$stage/pidvisor-${version%-*}
    echo "build-deb: building pidvisor $version in $src" >&2
    rm -rf "$stage"
    mkdir -p "$src"
    (cd "$repo" && files | rsync -a --from0 --files-from=- ./ "$src/") || die "could not copy the source tree to $src"
    cp -a "$src/packaging/debian" "$src/debian"
    start=$(date +%s)
    (
        cd "$src"
        # NOHASHDIR: with -g ccache otherwise hashes the absolute build
        # directory, and no object is shared with `make build`'s.
        export CCACHE_DIR=$ccache_dir CCACHE_BASEDIR=$src CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-2G} CCACHE_NOHASHDIR=1
        export DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}"
        nice -n 10 dpkg-buildpackage -us -uc -b >"$stage/build.log" 2>&1
    ) || {
        tail -40 "$stage/build.log" >&2
        die "dpkg-buildpackage failed (log: $stage/build.log)"
    }
    echo "build-deb: built in $(($(date +%s) - start)) s ($(grep -c '^\[[0-9]*/[0-9]*\] Building' "$stage/build.log" || true) compile steps)" >&2
    rm -rf "$cached"
    mkdir -p "$cached"
    mv "$stage"/*.deb "$cached/"
    cp "$stage/build.log" "$cached/"
    touch "$cached/complete"
    # Keep the newest three trees' packages.
    ls -1dt "$PIDVISOR_CACHE"/debs/*/ | tail -n +4 | xargs -r rm -rf
fi
mkdir -p "$out"
rm -f "$out"/*.deb
cp "$cached"/*.deb "$out/"
echo "$out"
