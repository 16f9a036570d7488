# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # globals shared with build-image.sh
# The guest kernel: Debian 13's stock kernel with the modules a guest needs,
# the Pidvisor container kernel, or a kernel file given by path (sourced by
# build-image.sh). Needs: images, here, kernel_sh.
#
# kernel_identify sets, from the --kernel argument, without building anything:
#   kernel_kind     stock | container | path
#   kernel_id       one line naming the kernel exactly (part of the image hash)
#   kernel_pkg, kernel_version   the Debian package and its exact version
#                   (stock; path when its modules come from Debian; container:
#                   the source package)
#   kernel_release  `uname -r` of the kernel (container: known after the build)
#   kernel_lines    the resolved linux-image closure (stock, some paths)
#   kernel_path     the file given (path)

kernel_identify() {
    local spec=$1 line
    kernel_pkg='' kernel_version='' kernel_release='' kernel_path='' kernel_lines=()
    case $spec in
    stock)
        kernel_kind=stock
        resolve_packages kernel_lines linux-image-amd64
        debian_kernel_line || die "no linux-image-*-amd64 package in the closure of linux-image-amd64"
        kernel_id="stock $kernel_pkg $kernel_version"
        ;;
    container)
        kernel_kind=container
        [[ -x $kernel_sh ]] || die "--kernel container needs $kernel_sh, which does not exist yet"
        local khash
        khash=$("$kernel_sh" --print-hash) || die "$kernel_sh --print-hash failed"
        [[ $khash =~ ^[0-9a-f]{64}$ ]] || die "$kernel_sh --print-hash printed '$khash', not a hash"
        kernel_id="container $khash"
        ;;
    *)
        kernel_kind=path
        [[ -f $spec && -r $spec ]] || die "kernel $spec is not a readable file"
        kernel_path=$(realpath "$spec")
        kernel_release=$(kernel_file_release "$kernel_path") ||
            die "$spec is neither a bzImage nor an ELF vmlinux with a Linux version string"
        kernel_id="path $(sha256_file "$kernel_path")"
        # A Debian kernel (such as the stock vmlinux extracted by this
        # recipe) gets its modules from its package.
        if [[ $kernel_release =~ ^[0-9][0-9.]*\+deb13-amd64$ ]]; then
            local f
            f=$(mktemp)
            if (resolve_packages kernel_lines "linux-image-$kernel_release" &&
                printf '%s\n' "${kernel_lines[@]}") >"$f" 2>/dev/null; then
                mapfile -t kernel_lines <"$f"
                debian_kernel_line && kernel_id+=" modules $kernel_pkg $kernel_version"
            else
                log "no Debian 13 package for kernel $kernel_release: the image gets no modules"
            fi
            rm -f "$f"
        fi
        ;;
    esac
}

# Picks the real kernel package out of kernel_lines.
debian_kernel_line() {
    local line
    for line in "${kernel_lines[@]}"; do
        if [[ $line =~ ^linux-image-([0-9][^ ]*-amd64)\ ([^ ]+)\ (.*)$ ]]; then
            kernel_pkg="linux-image-${BASH_REMATCH[1]}"
            kernel_version=${BASH_REMATCH[2]}
            kernel_release=${BASH_REMATCH[1]}
            kernel_deb=${BASH_REMATCH[3]}
            return 0
        fi
    done
    return 1
}

# The x86 boot protocol's "HdrS" magic at 0x202.
is_bzimage() { [[ $(od -An -tx1 -j $((0x202)) -N4 "$1" | tr -d ' \n') == 48647253 ]]; }

# `uname -r` of a bzImage (setup header) or of an ELF vmlinux (banner).
kernel_file_release() {
    local f=$1 off
    if is_bzimage "$f"; then
        off=$(od -An -tu2 -j $((0x20e)) -N2 "$f" | tr -d ' ')
        dd if="$f" bs=1 skip=$((off + 0x200)) count=128 status=none | tr '\0' '\n' | head -n 1 | cut -d' ' -f1 | grep .
    elif is_elf "$f"; then
        grep -aom1 'Linux version [^ ]*' "$f" | cut -d' ' -f3 | grep .
    else
        return 1
    fi
}

# install_kernel_file SRC DIR: puts the file QEMU boots at DIR/kernel and
# sets boot_file. A bzImage is unpacked to its vmlinux when that has a PVH
# entry: QEMU then skips the in-guest decompression, which is slow under TCG.
install_kernel_file() {
    local src=$1 dir=$2
    if is_elf "$src"; then
        has_pvh_note "$src" || die "$src is an ELF kernel without a PVH entry note; QEMU cannot boot it"
        cp "$src" "$dir/kernel"
        boot_file=vmlinux
    elif extract_vmlinux "$src" "$dir/kernel.elf" && has_pvh_note "$dir/kernel.elf"; then
        mv "$dir/kernel.elf" "$dir/kernel"
        boot_file=vmlinux
    else
        log "$src: no PVH-bootable vmlinux inside, booting the bzImage"
        rm -f "$dir/kernel.elf"
        cp "$src" "$dir/kernel"
        boot_file=bzImage
    fi
}

# extract_vmlinux BZIMAGE OUT: finds the compressed payload (through the
# setup header, else by the magic of xz, zstd, gzip or lzma) and unpacks it.
extract_vmlinux() {
    local bz=$1 out=$2 setup poff plen start magic off
    if is_bzimage "$bz"; then
        setup=$(od -An -tu1 -j $((0x1f1)) -N1 "$bz" | tr -d ' ')
        ((setup == 0)) && setup=4
        poff=$(od -An -tu4 -j $((0x248)) -N4 "$bz" | tr -d ' ')
        plen=$(od -An -tu4 -j $((0x24c)) -N4 "$bz" | tr -d ' ')
        start=$(((setup + 1) * 512 + poff))
        if ((plen > 4)) && decompress_at "$bz" "$start" "$plen" "$out"; then
            # Every x86 payload ends with its uncompressed size (le32).
            local want
            want=$(od -An -tu4 -j $((start + plen - 4)) -N4 "$bz" | tr -d ' ')
            (($(stat -c %s "$out") == want)) && return 0
        fi
    fi
    for magic in '\x28\xb5\x2f\xfd' '\xfd\x37\x7a\x58\x5a\x00' '\x1f\x8b\x08' '\x5d\x00\x00\x00'; do
        for off in $(LC_ALL=C grep -obUaP "$magic" "$bz" 2>/dev/null | cut -d: -f1 | head -n 8); do
            decompress_at "$bz" "$off" 0 "$out" && return 0
        done
    done
    rm -f "$out"
    return 1
}

# decompress_at FILE OFFSET LENGTH(0: to the end) OUT: true when OUT is ELF.
decompress_at() {
    local f=$1 off=$2 len=$3 out=$4 magic cmd
    magic=$(od -An -tx1 -j "$off" -N6 "$f" | tr -d ' \n')
    case $magic in
    28b52ffd*) cmd=(zstd -dcq) ;;
    fd377a585a00) cmd=(xz -dcq --single-stream) ;;
    1f8b08*) cmd=(gzip -dcq) ;;
    5d000000*) cmd=(xz -dcq --format=lzma) ;;
    *) return 1 ;;
    esac
    # Trailing bytes after the stream make the tools complain: judge the
    # output, not their status.
    if ((len > 0)); then
        tail -c +$((off + 1)) "$f" | head -c "$len" | "${cmd[@]}" >"$out" 2>/dev/null || true
    else
        tail -c +$((off + 1)) "$f" | "${cmd[@]}" >"$out" 2>/dev/null || true
    fi
    is_elf "$out"
}

# debian_kernel_part VAR: the unpacked Debian kernel package, reduced to
# what a guest needs, cached under $images/.parts/kernel-<key>/:
#   vmlinuz                  the package's bzImage
#   tree/usr/lib/modules/R/  the modules of modules.txt and their
#                            dependencies, decompressed, with depmod's files
#   tree/usr/lib/modules/R/pidvisor.load   module names in load order
debian_kernel_part() {
    local -n _kdir=$1
    local key part tmp rel=$kernel_release
    key=$({
        echo "pidvisor-kernel 1 $kernel_pkg $kernel_version"
        sha256_file "$here/lib/kernel.sh"
        sha256_file "$here/modules.txt"
    } | sha256_text)
    part="$images/.parts/kernel-$key"
    if [[ -f $part/.complete ]]; then
        touch "$part/.complete"
        _kdir=$part
        return 0
    fi
    ensure_debs "${kernel_lines[@]}"
    debian_kernel_line
    tmp="$part.tmp-$$"
    rm -rf "$tmp"
    mkdir -p "$tmp/pkg" "$tmp/tree"
    dpkg-deb -x "$kernel_deb" "$tmp/pkg" || die "cannot unpack $kernel_deb"
    [[ -f $tmp/pkg/boot/vmlinuz-$rel ]] || die "$kernel_pkg has no /boot/vmlinuz-$rel"
    cp "$tmp/pkg/boot/vmlinuz-$rel" "$tmp/vmlinuz"
    cp "$tmp/pkg/boot/config-$rel" "$tmp/config"

    progress 40 modules "resolving module dependencies of $kernel_pkg"
    local moddir=usr/lib/modules/$rel wanted=() m paths=() p seen=" " deps kind
    mapfile -t wanted < <(sed -e 's/#.*//' "$here/modules.txt" | tr -s '[:space:]' '\n' | grep .)
    ln -sfn usr/lib "$tmp/pkg/lib"
    depmod -b "$tmp/pkg" "$rel" || die "depmod failed on $kernel_pkg"
    for m in "${wanted[@]}"; do
        deps=$(modprobe -d "$tmp/pkg" -S "$rel" --show-depends "$m" 2>&1) ||
            die "module $m of modules.txt is not in $kernel_pkg: $deps"
        while read -r kind p _; do
            [[ $kind == insmod ]] || continue
            p=${p#*/lib/modules/"$rel"/}
            [[ $seen == *" $p "* ]] && continue
            seen+="$p "
            paths+=("$p")
        done <<<"$deps"
    done

    progress 45 modules "decompressing ${#paths[@]} modules"
    mkdir -p "$tmp/tree/$moddir"
    for p in "${paths[@]}"; do
        mkdir -p "$tmp/tree/$moddir/$(dirname "$p")"
        case $p in
        *.xz) xz -dc "$tmp/pkg/$moddir/$p" >"$tmp/tree/$moddir/${p%.xz}" ;;
        *.zst) zstd -dcq "$tmp/pkg/$moddir/$p" >"$tmp/tree/$moddir/${p%.zst}" ;;
        *.gz) gzip -dc "$tmp/pkg/$moddir/$p" >"$tmp/tree/$moddir/${p%.gz}" ;;
        *) cp "$tmp/pkg/$moddir/$p" "$tmp/tree/$moddir/$p" ;;
        esac
        p=${p##*/}
        p=${p%%.ko*}
        echo "${p//-/_}"
    done >"$tmp/tree/$moddir/pidvisor.load"
    for p in modules.builtin modules.builtin.modinfo; do
        [[ -f $tmp/pkg/$moddir/$p ]] && cp "$tmp/pkg/$moddir/$p" "$tmp/tree/$moddir/"
    done
    (cd "$tmp/tree/$moddir" && find kernel -name '*.ko' | LC_ALL=C sort >modules.order)
    ln -sfn usr/lib "$tmp/tree/lib"
    depmod -b "$tmp/tree" "$rel" || die "depmod failed on the guest's modules"
    rm -f "$tmp/tree/lib"
    rm -rf "$tmp/pkg"
    touch "$tmp/.complete"
    rm -rf "$part"
    mv -T "$tmp" "$part"
    prune_parts kernel
    _kdir=$part
}

# container_kernel VAR: builds (or finds) the container kernel and sets VAR
# to its directory; its progress is folded into ours (30-55 %).
container_kernel() {
    local -n _cdir=$1
    local out status line pct
    out=$(mktemp)
    {
        "$kernel_sh" 2>&1 >"$out"
        echo "$?" >"$out.status"
    } | while IFS= read -r line; do
        if [[ $line =~ ^progress\ ([0-9]+)\ (.*)$ ]]; then
            pct=$((30 + BASH_REMATCH[1] / 4))
            progress "$pct" kernel "${BASH_REMATCH[2]}"
        else
            printf '%s\n' "$line" >&2
        fi
    done
    status=$(cat "$out.status" 2>/dev/null || echo 1)
    _cdir=$(tail -n 1 "$out")
    rm -f "$out" "$out.status"
    ((status == 0)) || die "the container kernel build failed ($kernel_sh exited with $status)"
    [[ -f $_cdir/vmlinux && -f $_cdir/manifest.json ]] ||
        die "$kernel_sh printed '$_cdir', which has no vmlinux and manifest.json"
}
