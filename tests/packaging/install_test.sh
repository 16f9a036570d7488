#!/bin/bash
# The packages in a clean Debian 12: a fresh root made by mmdebstrap from
# Debian's archive, `apt install ./*.deb` inside it (apt resolves the
# dependencies), then the programs run there, and removing and purging
# leave nothing behind (files, users, groups).
#   install_test.sh DEB_DIR VERSION
#
# Cached under $PIDVISOR_CACHE (default /var/cache/pidvisor):
#   install-test/debian12-<key>.tar   the fresh root (key: the mmdebstrap
#                                     arguments); made once
#   install-test/apt-archives/        .debs apt downloaded into the root, so
#                                     a second run downloads nothing
# Needs root (chroot, mounts); says so and fails otherwise.
set -euo pipefail
dir=$(cd "$1" && pwd) version=$2
fail() { echo "FAIL: $*"; exit 1; }
[[ $(id -u) -eq 0 ]] || fail "the install test needs root (chroot and mounts)"
command -v mmdebstrap >/dev/null || fail "mmdebstrap is not installed (packaging/install-deps.sh)"
shopt -s nullglob
debs=("$dir"/pidvisor_*.deb "$dir"/pidvisor-gui_*.deb "$dir"/pidvisor-agent_*.deb)
((${#debs[@]} == 3)) || fail "expected three packages in $dir, found: ${debs[*]:-none}"

cache=${PIDVISOR_CACHE:-/var/cache/pidvisor}/install-test
mkdir -p "$cache/apt-archives/partial"
mirror=${PIDVISOR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# man-db for `man -w`; the rest comes from the packages' dependencies.
args=(--variant=apt --include=man-db --skip=cleanup/apt/lists bookworm)
key=$(printf '%s\n' "${args[@]}" "$mirror" | sha256sum | cut -c1-12)
tarball=$cache/debian12-$key.tar
t0=$(date +%s)
exec 9>"$cache/.lock"
flock 9
if [[ ! -s $tarball ]]; then
    echo "install-test: making a Debian 12 root with mmdebstrap (once; cached in $tarball)"
    rm -rf "$tarball.tmp"
    mmdebstrap --quiet --format=tar "${args[@]}" "$tarball.tmp" "$mirror" || fail "mmdebstrap failed"
    mv "$tarball.tmp" "$tarball"
fi

root=$(mktemp -d /tmp/pidvisor-install-test.XXXXXX)
cleanup() {
    for m in var/cache/apt/archives dev/pts dev proc sys; do
        mountpoint -q "$root/$m" && umount -l "$root/$m"
    done
    rm -rf --one-file-system "$root"
}
trap cleanup EXIT
tar -C "$root" -xf "$tarball"
t_root=$(date +%s)
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/debs"
cp "${debs[@]}" "$root/debs/"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

# What a purge must return to: every file outside the package manager's
# own state, and the users and groups.
snapshot() {
    in_root find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /debs \
        -o -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/cache -o -path /var/log \) -prune -o -print |
        grep -v -e '^/etc/ld.so.cache$' | sort
}
snapshot >"$root/tmp/before.files"
in_root dpkg-query -W -f '${Package}\n' | sort >"$root/tmp/before.packages"
cp "$root/etc/passwd" "$root/tmp/before.passwd"
cp "$root/etc/group" "$root/tmp/before.group"

export DEBIAN_FRONTEND=noninteractive
in_root apt-get -q -o Dpkg::Use-Pty=0 update >/dev/null || fail "apt-get update inside the root failed"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 \
    /debs/"$(basename "${debs[0]}")" /debs/"$(basename "${debs[1]}")" /debs/"$(basename "${debs[2]}")" \
    >"$root/tmp/apt-install.log" 2>&1 || { tail -30 "$root/tmp/apt-install.log"; fail "apt install of the packages failed"; }
echo "install-test: installed with $(grep -c '^Setting up' "$root/tmp/apt-install.log") packages set up"
t_install=$(date +%s)

failures=0
check() { # check WHAT CMD...: runs CMD in the root
    local what=$1
    shift
    if out=$(in_root "$@" 2>&1); then
        echo "ok: $what"
    else
        echo "FAIL: $what: $out" | head -5
        failures=$((failures + 1))
    fi
}
got=$(in_root pidvisor --version 2>&1 | awk '{print $NF}')
if [[ $got == "$version" ]]; then echo "ok: pidvisor --version is $version"; else echo "FAIL: pidvisor --version says '$got', expected $version"; failures=$((failures + 1)); fi
check "pidvisor-agent --version" pidvisor-agent --version
check "man -w pidvisor" man -w pidvisor
check "man -w pidvisor-gui" man -w pidvisor-gui
check "man -w 8 pidvisor-agent" man -w 8 pidvisor-agent
check "bash and zsh completion" test -f /usr/share/bash-completion/completions/pidvisor -a -f /usr/share/zsh/vendor-completions/_pidvisor
check "the image recipe is found where it is installed" test -x /usr/share/pidvisor/packaging/guest/build-image.sh
check "pidvisor-init and the agent link for guest images" test -x /usr/libexec/pidvisor/pidvisor-init -a -x /usr/libexec/pidvisor/pidvisor-agent
check "the desktop entry and its icon" test -f /usr/share/applications/org.pidvisor.Pidvisor.desktop -a -f /usr/share/icons/hicolor/48x48/apps/org.pidvisor.Pidvisor.png -a -f /usr/share/icons/hicolor/scalable/apps/org.pidvisor.Pidvisor.svg
check "the inventory opens (pidvisor ops)" pidvisor --db /tmp/inventory.db ops
if in_root env QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=/tmp pidvisor-gui --db /tmp/inventory.db \
    --screenshot /tmp/screenshot.png >"$root/tmp/gui.log" 2>&1 && [[ -s $root/tmp/screenshot.png ]] &&
    [[ $(head -c 8 "$root/tmp/screenshot.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]; then
    echo "ok: pidvisor-gui --screenshot rendered $(stat -c %s "$root/tmp/screenshot.png") bytes of PNG offscreen"
    mkdir -p "$dir/../install-test" && cp "$root/tmp/screenshot.png" "$dir/../install-test/screenshot.png"
else
    echo "FAIL: pidvisor-gui --screenshot: $(tail -5 "$root/tmp/gui.log")"
    failures=$((failures + 1))
fi
rm -f "$root"/tmp/inventory.db* "$root/tmp/screenshot.png"
# What running the programs made (user data and settings, not package
# files: dpkg -L lists none of these) goes before comparing.
rm -rf "$root/root/.local" "$root/root/.config" "$root/root/.cache" "$root/tmp/runtime-root" "$root/var/lib/pidvisor"

in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q -o Dpkg::Use-Pty=0 pidvisor pidvisor-gui pidvisor-agent \
    >"$root/tmp/apt-purge.log" 2>&1 || { tail -20 "$root/tmp/apt-purge.log"; fail "apt purge failed"; }
in_root env DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y -q -o Dpkg::Use-Pty=0 \
    >>"$root/tmp/apt-purge.log" 2>&1 || { tail -20 "$root/tmp/apt-purge.log"; fail "apt autoremove failed"; }
# Dependencies autoremove keeps (another package recommends them) go too:
# the root must be as it was.
extra=$(in_root dpkg-query -W -f '${Package}\n' | sort | comm -13 "$root/tmp/before.packages" -)
if [[ -n $extra ]]; then
    # shellcheck disable=SC2086
    in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q -o Dpkg::Use-Pty=0 $extra \
        >>"$root/tmp/apt-purge.log" 2>&1 || { tail -20 "$root/tmp/apt-purge.log"; fail "purging the dependencies failed"; }
fi
left=$(in_root dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n' 2>/dev/null | grep '^pidvisor' || true)
[[ -z $left ]] || { echo "FAIL: dpkg still knows: $left"; failures=$((failures + 1)); }
snapshot >"$root/tmp/after.files"
if ! diff -u "$root/tmp/before.files" "$root/tmp/after.files" >"$root/tmp/files.diff"; then
    echo "FAIL: files differ after purge:"
    grep '^[-+]/' "$root/tmp/files.diff" | head -20
    failures=$((failures + 1))
else
    echo "ok: purge left no file behind ($(wc -l <"$root/tmp/after.files") paths compared)"
fi
for db in passwd group; do
    if cmp -s "$root/tmp/before.$db" "$root/etc/$db"; then echo "ok: /etc/$db unchanged"; else
        echo "FAIL: /etc/$db changed: $(diff "$root/tmp/before.$db" "$root/etc/$db" | head -5)"
        failures=$((failures + 1))
    fi
done
t_end=$(date +%s)
echo "install-test: root $((t_root - t0)) s, install $((t_install - t_root)) s, checks and purge $((t_end - t_install)) s"
((failures == 0))
