#!/usr/bin/env bash
# Build the Pidvisor container kernel: Debian 13's linux-source-6.12, the
# patch series in patches/, the config fragment in config/, plus the static
# proc_container kselftest.
#
#   build-kernel.sh [--jobs N] [--source-version V] [--extra-config FILE]
#                   [--print-hash]
#
# stdout: only the output directory $PIDVISOR_CACHE/kernels/<hash>/, holding
#   vmlinux (uncompressed, PVH-bootable), bzImage, config, manifest.json and
#   selftests/proc_container_test. The hash covers the source version, every
#   patch, the config fragment(s) and SCRIPT_VERSION, so an unchanged input
#   returns the cached directory at once. --extra-config merges one more
#   fragment after config/pidvisor-guest.config (e.g. config/debug.config).
# stderr: log lines and "progress <percent> <stage> <text>" lines, stages
#   fetch, extract, patch, configure, build, selftest, store, done.
#
# Cache layout under $PIDVISOR_CACHE/kernel/ (outside the checkout):
#   src/<pkg>_<version>/   pristine source as a git repository, tag "pristine";
#                          the work tree is checked out at the patched commit
#   build/<pkg>_<version>/ out-of-tree objects (O=), reused between builds;
#                          wiped when a previous build did not finish
#   logs/                  build logs
# plus $PIDVISOR_CACHE/ccache (CC="ccache gcc").
set -euo pipefail

# Bump when the build procedure changes in a way that changes its output.
SCRIPT_VERSION=1
PKG=linux-source-6.12
LOCALVERSION=-pidvisor

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
apt_sh="$here/../packaging/debian13-apt.sh"
patch_dir="$here/patches"
fragment="$here/config/pidvisor-guest.config"

usage() {
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

jobs=$(nproc)
want_version=
extra_config=
print_hash=0
while (($#)); do
    case "$1" in
    --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
    --jobs=*) jobs=${1#*=}; shift ;;
    --source-version) want_version=${2:?--source-version needs a version}; shift 2 ;;
    --source-version=*) want_version=${1#*=}; shift ;;
    --extra-config) extra_config=${2:?--extra-config needs a file}; shift 2 ;;
    --extra-config=*) extra_config=${1#*=}; shift ;;
    --print-hash) print_hash=1; shift ;;
    -h | --help) usage ;;
    *) echo "build-kernel: unknown option $1" >&2; usage ;;
    esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "build-kernel: bad --jobs $jobs" >&2; exit 2; }

if [[ -z "${PIDVISOR_CACHE:-}" ]]; then
    if [[ $(id -u) -eq 0 ]]; then PIDVISOR_CACHE=/var/cache/pidvisor
    else PIDVISOR_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/pidvisor"; fi
fi
export PIDVISOR_CACHE
kcache="$PIDVISOR_CACHE/kernel"

log() { printf 'build-kernel: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
stage=start
progress() { printf 'progress %d %s %s\n' "$1" "$stage" "$2" >&2; }

# --- Inputs and hash --------------------------------------------------------
[[ -x "$apt_sh" ]] || die "missing $apt_sh"
[[ -f "$fragment" ]] || die "missing $fragment"
fragments=("$fragment")
if [[ -n $extra_config ]]; then
    [[ -f $extra_config ]] || die "missing $extra_config"
    fragments+=("$(cd "$(dirname "$extra_config")" && pwd)/$(basename "$extra_config")")
fi
patches=()
for p in "$patch_dir"/[0-9][0-9][0-9][0-9]-*.patch; do
    [[ -e $p ]] || continue
    [[ $(basename "$p") == 0000-* ]] && continue   # cover letter
    patches+=("$p")
done
((${#patches[@]})) || die "no patches in $patch_dir"

stage=fetch
if [[ -n $want_version ]]; then
    version=$want_version
else
    version=$("$apt_sh" version "$PKG") || die "cannot find $PKG in Debian 13"
fi
[[ $version =~ ^[A-Za-z0-9.+:~-]+$ ]] || die "odd version string '$version'"

hash=$({
    echo "pidvisor-build-kernel $SCRIPT_VERSION"
    echo "source $PKG $version"
    for p in "${patches[@]}"; do
        echo "patch $(basename "$p") $(sha256sum <"$p" | cut -d' ' -f1)"
    done
    for f in "${fragments[@]}"; do
        echo "config $(sha256sum <"$f" | cut -d' ' -f1)"
    done
} | sha256sum | cut -d' ' -f1)

if ((print_hash)); then
    echo "$hash"
    exit 0
fi

out="$PIDVISOR_CACHE/kernels/$hash"
if [[ -f "$out/manifest.json" ]]; then
    stage=done; progress 100 "cached $out"
    echo "$out"
    exit 0
fi

# One build at a time (the machine is small and the trees are shared).
mkdir -p "$kcache"/{src,build,logs,tmp} "$PIDVISOR_CACHE/kernels"
exec 9>"$kcache/.lock"
if ! flock -n 9; then
    log "waiting for another kernel build to finish"
    flock 9
fi
if [[ -f "$out/manifest.json" ]]; then
    stage=done; progress 100 "cached $out"
    echo "$out"
    exit 0
fi
rm -rf "$PIDVISOR_CACHE/kernels"/.tmp-* "$kcache"/tmp/*
started=$(date +%s)

# --- Fetch -----------------------------------------------------------------
key="${PKG}_${version//:/%3a}"
src="$kcache/src/$key"
obj="$kcache/build/$key"
buildlog="$kcache/logs/build-$hash.log"
: >"$buildlog"

progress 1 "$PKG $version"
if [[ ! -f "$src/.git/pidvisor-pristine" ]]; then
    spec=$PKG
    [[ -n $want_version ]] && spec="$PKG=$version"
    debs=$("$apt_sh" download "$spec") || die "cannot download $spec"
    deb=$(grep -F "/${PKG}_${version//:/%3a}_" <<<"$debs" | head -n 1 || true)
    [[ -n $deb && -f $deb ]] || die "$PKG $version is not among the downloaded packages"

    # --- Extract (once per version) -------------------------------------------
    stage=extract
    progress 5 "unpacking $(basename "$deb")"
    rm -rf "$src"
    tmp="$kcache/tmp/extract"
    mkdir -p "$tmp"
    dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$PKG.tar.xz" |
        xz -dc -T"$jobs" | tar -x -C "$tmp"
    top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
    [[ -f "$top/Makefile" ]] || die "no kernel tree in $deb"
    progress 8 "recording the pristine tree in git"
    (
        cd "$top"
        export GIT_AUTHOR_NAME=pidvisor GIT_AUTHOR_EMAIL=dev@pidvisor.invalid
        export GIT_COMMITTER_NAME=pidvisor GIT_COMMITTER_EMAIL=dev@pidvisor.invalid
        export GIT_AUTHOR_DATE=2000-01-01T00:00:00Z GIT_COMMITTER_DATE=2000-01-01T00:00:00Z
        git init -q -b upstream .
        git config core.autocrlf false
        git config gc.auto 0
        # Debian's top-level .gitignore ignores everything: add with -f.
        git add -A -f .
        git commit -q -m "$PKG $version (pristine)"
        git tag pristine
        touch .git/pidvisor-pristine
    ) >&2 || die "cannot record the source in git"
    mv -T "$top" "$src"
    rm -rf "$tmp"
fi

# --- Patch ------------------------------------------------------------------
# Apply the series to a scratch index (nothing touches the work tree), then
# check the result out: only files that differ from the last build get new
# timestamps, and a run killed at any point leaves nothing that checkout -f
# and clean -fdx do not repair.
stage=patch
progress 10 "applying ${#patches[@]} patches"
rm -f "$src/.git/index.lock"
export GIT_INDEX_FILE="$kcache/tmp/series.index"
git -C "$src" read-tree refs/tags/pristine
for p in "${patches[@]}"; do
    git -C "$src" apply --cached "$p" 2>>"$buildlog" ||
        die "$(basename "$p") does not apply to $PKG $version (see $buildlog)"
done
tree=$(git -C "$src" write-tree)
commit=$(GIT_AUTHOR_NAME=pidvisor GIT_AUTHOR_EMAIL=dev@pidvisor.invalid \
    GIT_COMMITTER_NAME=pidvisor GIT_COMMITTER_EMAIL=dev@pidvisor.invalid \
    GIT_AUTHOR_DATE=2000-01-01T00:00:00Z GIT_COMMITTER_DATE=2000-01-01T00:00:00Z \
    git -C "$src" commit-tree "$tree" -p refs/tags/pristine -m "pidvisor series $hash")
unset GIT_INDEX_FILE
git -C "$src" -c advice.detachedHead=false checkout -q -f --detach "$commit" >&2
git -C "$src" clean -q -f -d -x >&2

# --- Configure --------------------------------------------------------------
stage=configure
export CCACHE_DIR="${CCACHE_DIR:-$PIDVISOR_CACHE/ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-3G}"
mkdir -p "$CCACHE_DIR"
kmake=(nice -n 10 make -C "$src" O="$obj" ARCH=x86_64
    "CC=ccache gcc" "HOSTCC=ccache gcc" LOCALVERSION="$LOCALVERSION"
    KBUILD_BUILD_USER=pidvisor KBUILD_BUILD_HOST=pidvisor)

# A marker left behind means the last build died: its objects may be torn.
if [[ -e "$obj/.pidvisor-building" ]]; then
    log "previous build did not finish, starting from a clean object tree"
    rm -rf "$obj"
fi
fresh_obj=0
[[ -d "$obj" ]] || fresh_obj=1
mkdir -p "$obj"
touch "$obj/.pidvisor-building"

progress 12 "tinyconfig + kvm_guest.config + ${fragments[*]##*/}"
{
    "${kmake[@]}" tinyconfig
    "${kmake[@]}" kvm_guest.config
    "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}"
    "${kmake[@]}" olddefconfig
    "${kmake[@]}" olddefconfig
} >>"$buildlog" 2>&1 || die "configuration failed (see $buildlog)"

missing=()
while IFS= read -r line; do
    line=${line%%[[:space:]]}
    if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
        grep -qxF "$line" "$obj/.config" ||
            missing+=("$line (got: $(grep -E "^(# )?${BASH_REMATCH[1]}[= ]" "$obj/.config" || echo unset))")
    elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
        ! grep -q "^${BASH_REMATCH[1]}=" "$obj/.config" ||
            missing+=("$line (got: $(grep "^${BASH_REMATCH[1]}=" "$obj/.config"))")
    fi
done < <(cat "${fragments[@]}")
if ((${#missing[@]})); then
    log "these options of ${fragments[*]##*/} did not stick:"
    printf '  %s\n' "${missing[@]}" >&2
    die "configuration does not match the fragment"
fi

# --- Build ------------------------------------------------------------------
stage=build
expected_file="$kcache/build-lines-$key"
expected=2300
[[ -s $expected_file ]] && expected=$(<"$expected_file")
progress 15 "make -j$jobs vmlinux bzImage"
lines=0
last=15
set +e
"${kmake[@]}" -j"$jobs" vmlinux bzImage 2>&1 | {
    while IFS= read -r line; do
        printf '%s\n' "$line" >>"$buildlog"
        lines=$((lines + 1))
        pct=$((15 + lines * 75 / expected))
        ((pct > 89)) && pct=89
        if ((pct > last)); then
            last=$pct
            progress "$pct" "$line"
        fi
    done
    echo "$lines" >"$kcache/tmp/lines"
}
status=("${PIPESTATUS[@]}")
set -e
if ((status[0] != 0)); then
    tail -n 30 "$buildlog" >&2
    die "kernel build failed (see $buildlog)"
fi
((fresh_obj)) && cp "$kcache/tmp/lines" "$expected_file"
release=$("${kmake[@]}" -s kernelrelease 2>>"$buildlog")

# --- Selftest ---------------------------------------------------------------
stage=selftest
progress 90 "proc_container kselftest (static)"
selftest_out="$obj/selftests/proc_container"
mkdir -p "$selftest_out"
nice -n 10 make -C "$src/tools/testing/selftests/proc_container" \
    OUTPUT="$selftest_out" LDFLAGS=-static >>"$buildlog" 2>&1 ||
    die "selftest build failed (see $buildlog)"
rm -f "$obj/.pidvisor-building"

# --- Store ------------------------------------------------------------------
stage=store
progress 95 "$out"
tmp="$PIDVISOR_CACHE/kernels/.tmp-$hash-$$"
rm -rf "$tmp"
mkdir -p "$tmp/selftests"
cp "$obj/vmlinux" "$tmp/vmlinux"
cp "$obj/arch/x86/boot/bzImage" "$tmp/bzImage"
cp "$obj/.config" "$tmp/config"
cp "$selftest_out/proc_container_test" "$tmp/selftests/proc_container_test"
cp "$buildlog" "$tmp/build.log"

json_str() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }
{
    printf '{\n'
    printf '  "source_package": %s,\n' "$(json_str "$PKG")"
    printf '  "source_version": %s,\n' "$(json_str "$version")"
    printf '  "hash": %s,\n' "$(json_str "$hash")"
    printf '  "script_version": %d,\n' "$SCRIPT_VERSION"
    printf '  "patches": [\n'
    n=${#patches[@]}
    for i in "${!patches[@]}"; do
        p=${patches[$i]}
        printf '    {"name": %s, "sha256": %s}%s\n' "$(json_str "$(basename "$p")")" \
            "$(json_str "$(sha256sum <"$p" | cut -d' ' -f1)")" "$( ((i + 1 < n)) && echo ,)"
    done
    printf '  ],\n'
    printf '  "config_fragment_sha256": %s,\n' "$(json_str "$(sha256sum <"$fragment" | cut -d' ' -f1)")"
    printf '  "kernel_release": %s,\n' "$(json_str "$release")"
    printf '  "build_seconds": %d,\n' "$(($(date +%s) - started))"
    printf '  "date": %s\n' "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
    printf '}\n'
} >"$tmp/manifest.json"

# QEMU runs as libvirt-qemu: everything must be readable and traversable.
chmod -R u=rwX,go=rX "$tmp"
chmod 755 "$tmp/selftests/proc_container_test"
chmod a+rx "$PIDVISOR_CACHE" "$PIDVISOR_CACHE/kernels"
if ! mv -T "$tmp" "$out" 2>/dev/null; then
    rm -rf "$tmp"
    [[ -f "$out/manifest.json" ]] || die "cannot store $out"
fi

stage=done
progress 100 "$release in $(($(date +%s) - started)) s"
echo "$out"
