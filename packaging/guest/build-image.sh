#!/usr/bin/env bash
# Build (or find) a Pidvisor guest image: a kernel plus an initramfs holding
# busybox, CRIU and pidvisor-agent, made from Debian 13 packages.
#
#   build-image.sh --kernel stock|container|PATH --agent PATH --init PATH [--print-hash]
#
#   --kernel stock      Debian 13's linux-image-amd64 (modules of modules.txt)
#   --kernel container  the Pidvisor kernel of kernelpatch/build-kernel.sh
#   --kernel PATH       a vmlinux (with a PVH note) or bzImage file
#   --agent, --init     pidvisor-agent and pidvisor-init (default: the build
#                       directory next to this checkout, or $PIDVISOR_BIN_DIR)
#   --print-hash        print the image hash only (resolves, builds nothing)
#
# stdout: only the image directory $PIDVISOR_CACHE/images/<hash>/ (kernel,
# initrd.img, manifest.json), or only the hash. stderr: "progress <percent>
# <stage> <text>" lines and human messages. The hash covers every input, so
# an unchanged input returns the stored image at once, without network.
# Environment: PIDVISOR_CACHE, PIDVISOR_IMAGE_COMPRESSION (none|zstd|gzip,
# default none), plus those of packaging/debian13-apt.sh.
set -euo pipefail
set -E
# depmod and modprobe live in /usr/sbin, which a desktop user's PATH lacks.
PATH=$PATH:/usr/sbin:/sbin

RECIPE_VERSION=1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
apt_sh="$repo/packaging/debian13-apt.sh"
kernel_sh="$repo/kernelpatch/build-kernel.sh"
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=lib/packages.sh
source "$here/lib/packages.sh"
# shellcheck source=lib/userland.sh
source "$here/lib/userland.sh"
# shellcheck source=lib/kernel.sh
source "$here/lib/kernel.sh"

# Any failure that did not go through die still leaves a one-line reason.
failed_cmd='' failed_line='' tmp=''
trap 'failed_cmd=$BASH_COMMAND failed_line=$LINENO' ERR
on_exit() {
    local status=$?
    [[ -n $tmp ]] && rm -rf "$tmp"
    if ((status != 0 && status != 2)) && [[ -n $failed_cmd ]]; then
        printf 'build-image: error: "%s" failed (line %s, status %d)\n' "$failed_cmd" "$failed_line" "$status" >&2
    fi
}
trap on_exit EXIT

usage() {
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

kernel_spec=stock
bin_dir=${PIDVISOR_BIN_DIR:-$repo/build/bin}
agent=$bin_dir/pidvisor-agent
init=$bin_dir/pidvisor-init
print_hash=0
while (($#)); do
    case $1 in
    --kernel) kernel_spec=${2:?--kernel needs stock, container or a path}; shift 2 ;;
    --kernel=*) kernel_spec=${1#*=}; shift ;;
    --agent) agent=${2:?--agent needs a path}; shift 2 ;;
    --agent=*) agent=${1#*=}; shift ;;
    --init) init=${2:?--init needs a path}; shift 2 ;;
    --init=*) init=${1#*=}; shift ;;
    --print-hash) print_hash=1; shift ;;
    -h | --help) usage ;;
    *) log "unknown argument $1"; usage ;;
    esac
done
[[ -f $agent && -x $agent ]] || die "agent $agent is not an executable file"
[[ -f $init && -x $init ]] || die "init $init is not an executable file"
compression=${PIDVISOR_IMAGE_COMPRESSION:-none}
[[ $compression =~ ^(none|zstd|gzip)$ ]] || die "PIDVISOR_IMAGE_COMPRESSION must be none, zstd or gzip, not '$compression'"
for tool in dpkg-deb depmod modprobe cpio xz zstd readelf strip python3; do
    command -v "$tool" >/dev/null || die "$tool is missing (packaging/install-deps.sh installs it)"
done

if [[ -z ${PIDVISOR_CACHE:-} ]]; then
    if [[ $(id -u) -eq 0 ]]; then PIDVISOR_CACHE=/var/cache/pidvisor
    else PIDVISOR_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/pidvisor"; fi
fi
export PIDVISOR_CACHE
images=$PIDVISOR_CACHE/images
mkdir -p "$images"
started=$(date +%s%N)

# --- Fast path -----------------------------------------------------------------
# Hashing every input costs most of a second (the agent alone is tens of MiB,
# package and kernel resolution fork dozens of processes), and `pidvisor vm
# create` asks for the image each time. When no input file changed since an
# earlier call (same paths, sizes, mtimes, inodes), its answer still holds.
testload=$(dirname "$agent")/pidvisor-testload
inputs_key=''
if ((!print_hash)); then
    inputs_key=$({
        echo "recipe $RECIPE_VERSION compression $compression kernel $kernel_spec"
        find "$agent" "$init" "$testload" "$repo/packaging" "$repo/kernelpatch" "$PIDVISOR_CACHE/apt-trixie/lists" \
            -maxdepth 0 -printf '%p %s %T@ %i\n' 2>/dev/null || true
        find -L "$repo/packaging" "$repo/kernelpatch" "$PIDVISOR_CACHE/apt-trixie/lists" \
            -type f -printf '%p %s %T@ %i\n' 2>/dev/null | LC_ALL=C sort || true
        [[ $kernel_spec == stock || $kernel_spec == container ]] ||
            find -L "$kernel_spec" -maxdepth 0 -printf '%p %s %T@ %i\n' 2>/dev/null || true
    } | sha256sum | cut -d' ' -f1)
    if [[ -r $images/.inputs/$inputs_key ]]; then
        out=$(<"$images/.inputs/$inputs_key")
        if [[ $out == "$images"/* && -f $out/manifest.json && -f $out/kernel && -f $out/initrd.img ]]; then
            progress 100 store "cached $out (inputs unchanged)"
            echo "$out"
            exit 0
        fi
    fi
fi
# Remembers which image these inputs gave. A cache this user may only read
# (PIDVISOR_CACHE shared by root with the 'libvirt' group) serves without.
remember_inputs() {
    [[ -n $inputs_key ]] || return 0
    { mkdir -p "$images/.inputs" && printf '%s\n' "$out" >"$images/.inputs/$inputs_key.tmp-$$" &&
        mv -f "$images/.inputs/$inputs_key.tmp-$$" "$images/.inputs/$inputs_key"; } 2>/dev/null || true
}

# --- Inputs and hash -----------------------------------------------------------
mapfile -t requested < <(sed -e 's/#.*//' "$here/packages.txt" | tr -s '[:space:]' '\n' | grep .)
agent_sha=$(sha256_file "$agent")
init_sha=$(sha256_file "$init")
# The test workload (tests/workload) rides along when it was built next to
# the agent: checkpoint tests and benchmarks run it inside containers.
testload_sha=none
[[ -x $testload ]] && testload_sha=$(sha256_file "$testload")
# The recipe is every file here except the developer tools and the docs.
mapfile -t recipe < <(cd "$here" && find . -type f ! -path './tools/*' ! -name '*.md' | LC_ALL=C sort)

# Sets pkg_lines, the kernel_* variables and hash from the current lists.
compute_hash() {
    progress 1 resolve packages
    pkg_lines=()
    resolve_packages pkg_lines "${requested[@]}"
    progress 4 resolve kernel "$kernel_spec"
    kernel_identify "$kernel_spec"
    hash=$({
        echo "pidvisor-guest-image $RECIPE_VERSION"
        echo "compression $compression"
        package_versions "${pkg_lines[@]}" | sed 's/^/package /'
        echo "kernel $kernel_id"
        echo "agent $agent_sha"
        echo "init $init_sha"
        echo "testload $testload_sha"
        for f in "${recipe[@]}"; do echo "recipe ${f#./} $(sha256_file "$here/$f")"; done
    } | sha256_text)
    out=$images/$hash
}
complete() { [[ -f $out/manifest.json && -f $out/kernel && -f $out/initrd.img ]]; }

# First with the package lists as they are (no network): an image built from
# them is what the caller gets. Only a build refreshes stale lists first.
apt_max_age=${PIDVISOR_APT_MAX_AGE-}
export PIDVISOR_APT_MAX_AGE=315360000
quiet_progress=1
compute_hash
quiet_progress=0
if [[ -n $apt_max_age ]]; then export PIDVISOR_APT_MAX_AGE=$apt_max_age; else unset PIDVISOR_APT_MAX_AGE; fi
if ! complete; then
    compute_hash
fi
if ((print_hash)); then
    echo "$hash"
    exit 0
fi
if complete; then
    remember_inputs
    progress 100 store "cached $out"
    echo "$out"
    exit 0
fi

# One build at a time: the machine is small and the parts are shared.
exec 9>"$images/.lock"
if ! flock -n 9; then
    log "waiting for another image build to finish"
    flock 9
fi
if complete; then
    remember_inputs
    progress 100 store "cached $out"
    echo "$out"
    exit 0
fi
rm -rf "$images"/.tmp-* "$images"/.parts/*.tmp-*
tmp=$images/.tmp-$hash-$$
mkdir -p "$tmp/root"
log "building image $hash"

# --- Userland ------------------------------------------------------------------
progress 8 download "${#pkg_lines[@]} packages"
ensure_debs "${pkg_lines[@]}"
progress 15 unpack "${#pkg_lines[@]} packages"
udir=''
userland_part udir "${pkg_lines[@]}"

# --- Kernel --------------------------------------------------------------------
progress 30 kernel "$kernel_id"
modules_tree='' selftest='' boot_file='' kdir='' cdir=''
case $kernel_kind in
stock)
    debian_kernel_part kdir
    modules_tree=$kdir/tree
    install_kernel_file "$kdir/vmlinuz" "$tmp"
    ;;
path)
    if [[ -n $kernel_pkg ]]; then
        debian_kernel_part kdir
        modules_tree=$kdir/tree
    fi
    install_kernel_file "$kernel_path" "$tmp"
    ;;
container)
    container_kernel cdir
    install_kernel_file "$cdir/vmlinux" "$tmp"
    kernel_release=$(json_get "$cdir/manifest.json" kernel_release)
    kernel_pkg=$(json_get "$cdir/manifest.json" source_package)
    kernel_version=$(json_get "$cdir/manifest.json" source_version)
    selftest=$cdir/selftests/proc_container_test
    [[ -f $selftest ]] || die "the container kernel in $cdir has no selftests/proc_container_test"
    ;;
esac
[[ -n $kernel_release ]] || die "cannot tell the release of the kernel"
progress 55 kernel "$kernel_release, booting $boot_file"

# --- Assemble ------------------------------------------------------------------
progress 60 assemble "root tree"
root=$tmp/root
cp -a "$udir/root/." "$root/"
[[ -n $modules_tree ]] && cp -a "$modules_tree/." "$root/"
cp -a "$here/rootfs/." "$root/"
chmod -R u=rwX,go=rX "$root/etc" "$root/usr/libexec/pidvisor"
chmod 755 "$root/init" "$root"/usr/libexec/pidvisor/* "$root"/etc/acpi/PWRF/*
install -m 755 "$agent" "$root/usr/bin/pidvisor-agent"
install -m 755 "$init" "$root/usr/bin/pidvisor-init"
strip --strip-all "$root/usr/bin/pidvisor-agent" "$root/usr/bin/pidvisor-init" ||
    die "cannot strip the agent or init binary"
if [[ $testload_sha != none ]]; then
    install -m 755 "$testload" "$root/usr/bin/pidvisor-testload"
    strip --strip-all "$root/usr/bin/pidvisor-testload"
fi
if [[ -n $selftest ]]; then
    install -D -m 755 "$selftest" "$root/usr/libexec/pidvisor/selftests/proc_container_test"
fi
mkdir -p "$root/etc/pidvisor"
printf 'hash=%s\nkernel=%s\nrelease=%s\n' "$hash" "$kernel_id" "$kernel_release" >"$root/etc/pidvisor/image"

# --- Compress ------------------------------------------------------------------
progress 70 compress "initramfs ($compression)"
(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
    cpio --null -o -H newc --quiet --reproducible -R 0:0) >"$tmp/initrd.cpio" ||
    die "cpio failed"
# The kernel opens /dev/console before /init runs. A second archive holds it
# (the kernel unpacks concatenated archives), written by hand so that a build
# without root (which cannot mknod) gives the same image.
python3 - "$tmp/initrd.cpio" <<'PY'
import sys
def entry(name, mode, rdev=(0, 0)):
    name = name.encode() + b"\0"
    fields = [1, mode, 0, 0, 1, 0, 0, 0, 0, rdev[0], rdev[1], len(name), 0]
    head = b"070701" + b"".join(b"%08X" % f for f in fields) + name
    return head + b"\0" * (-len(head) % 4)
with open(sys.argv[1], "ab") as f:
    f.write(entry("dev/console", 0o020600, (5, 1)) + entry("TRAILER!!!", 0))
PY
case $compression in
none) mv "$tmp/initrd.cpio" "$tmp/initrd.img" ;;
zstd) zstd -q -9 -T0 --rm "$tmp/initrd.cpio" -o "$tmp/initrd.img" ;;
gzip) gzip -6 -n -c "$tmp/initrd.cpio" >"$tmp/initrd.img" && rm "$tmp/initrd.cpio" ;;
esac
tree_bytes=$(du -sb "$root" | cut -f1)
rm -rf "$root"

# --- Manifest and store --------------------------------------------------------
progress 90 store "$out"
criu_version=
for line in "${pkg_lines[@]}"; do
    [[ $line == "criu "* ]] && criu_version=$(upstream_version "$(cut -d' ' -f2 <<<"$line")")
done
# Quiet and reboot-free by default; pidvisor.hostname=NAME names the guest.
cmdline="console=ttyS0 panic=-1 quiet"
kernel_bytes=$(stat -c %s "$tmp/kernel")
initrd_bytes=$(stat -c %s "$tmp/initrd.img")
{
    printf '{\n'
    printf '  "hash": %s,\n' "$(json_str "$hash")"
    printf '  "recipe_version": %d,\n' "$RECIPE_VERSION"
    printf '  "kernel": {"kind": %s, "package": %s, "version": %s, "release": %s, "boot_file": %s, "id": %s, "sha256": %s},\n' \
        "$(json_str "$kernel_kind")" "$(json_str "$kernel_pkg")" "$(json_str "$kernel_version")" \
        "$(json_str "$kernel_release")" "$(json_str "$boot_file")" "$(json_str "$kernel_id")" \
        "$(json_str "$(sha256_file "$tmp/kernel")")"
    printf '  "initrd": {"compression": %s, "tree_bytes": %d, "sha256": %s},\n' \
        "$(json_str "$compression")" "$tree_bytes" "$(json_str "$(sha256_file "$tmp/initrd.img")")"
    printf '  "modules": ['
    if [[ -n $modules_tree ]]; then
        sed 's/.*/"&"/' "$modules_tree/usr/lib/modules/$kernel_release/pidvisor.load" | paste -sd, | sed 's/,/, /g' | tr -d '\n'
    fi
    printf '],\n'
    printf '  "packages": [\n'
    n=${#pkg_lines[@]}
    for i in "${!pkg_lines[@]}"; do
        read -r name version _ <<<"${pkg_lines[$i]}"
        printf '    {"name": %s, "version": %s}%s\n' "$(json_str "$name")" "$(json_str "$version")" \
            "$( ((i + 1 < n)) && echo ,)"
    done
    printf '  ],\n'
    printf '  "criu_version": %s,\n' "$(json_str "$criu_version")"
    printf '  "agent_sha256": %s,\n' "$(json_str "$agent_sha")"
    printf '  "init_sha256": %s,\n' "$(json_str "$init_sha")"
    printf '  "cmdline": %s,\n' "$(json_str "$cmdline")"
    printf '  "created": %s,\n' "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
    printf '  "build_seconds": %s,\n' "$(awk -v a="$started" -v b="$(date +%s%N)" 'BEGIN{printf "%.1f", (b-a)/1e9}')"
    printf '  "size_bytes": %d\n' "$((kernel_bytes + initrd_bytes))"
    printf '}\n'
} >"$tmp/manifest.json"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/manifest.json" ||
    die "the manifest is not valid JSON"

# QEMU runs as libvirt-qemu: everything readable, every directory traversable.
chmod -R u=rwX,go=rX "$tmp"
chmod a+rx "$PIDVISOR_CACHE" "$images"
warn_untraversable "$images"
mv -T "$tmp" "$out" || die "cannot store $out"
tmp=
remember_inputs
progress 100 "done" "$kernel_release, $((kernel_bytes + initrd_bytes)) bytes"
echo "$out"
