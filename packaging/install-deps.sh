#!/usr/bin/env bash
# Installs what Pidvisor needs to build, test and run on Debian 12, with apt.
# Idempotent: installs only what is missing, and does nothing when all is there.
#   packaging/install-deps.sh            everything (build, tests, VMs, GUI)
set -euo pipefail

packages=(
    # build
    build-essential cmake ninja-build pkg-config ccache git
    libexpected-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev
    libsqlite3-dev sqlite3 libvirt-dev libxml2-dev libssl-dev libseccomp-dev
    # the agent's CRIU RPC: C code generated from CRIU's .proto files
    protobuf-c-compiler libprotobuf-c-dev
    # the desktop app
    qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev fonts-dejavu-core
    # VMs
    libvirt-daemon-system libvirt-clients libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils
    # libvirt networks (the VMs' NICs): libvirt runs dnsmasq for their DHCP
    dnsmasq-base
    # guest images and the container kernel
    debian-archive-keyring cpio xz-utils zstd kmod bc bison flex libelf-dev rsync python3 perl
    # container images (OCI archives unpacked with libarchive, packed as erofs)
    libarchive-dev erofs-utils
    # the system bus and polkit, through which the system libvirtd lets in
    # members of the 'libvirt' group (packaging/libvirt-services.sh starts
    # the bus where no init does)
    dbus polkitd
    # tests (zsh: its completion function is checked)
    iproute2 procps psmisc util-linux zsh
    # the container image VM test (a static busybox in an OCI archive)
    busybox-static
    # fuzzing and sanitizers (tests/fuzz): clang with libFuzzer, ASan, UBSan
    clang-14 libclang-rt-14-dev
    # Debian packages (make deb) and their checks (ctest label package)
    debhelper lintian mmdebstrap desktop-file-utils appstream librsvg2-bin man-db
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
    echo "install-deps: all ${#packages[@]} packages present"
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages: ${missing[*]}; run as root (or: sudo $0)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
# Some configured sources may be unreachable (only Debian's archive is in
# CI): a failed update of those is not fatal when Debian's lists arrive.
apt-get update -q || echo "install-deps: apt-get update reported errors; going on with the lists it has" >&2
apt-get install -y -q --no-install-recommends "${missing[@]}"
