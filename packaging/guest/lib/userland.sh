# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # globals shared with build-image.sh
# The guest userland: Debian 13 packages unpacked into a merged-/usr tree
# (sourced by build-image.sh). Needs: images, here.
#
# The unpacked, trimmed tree is kept under $images/.parts/userland-<key>/ so
# that a new agent binary costs a copy, not a dozen dpkg-deb runs.

# userland_part VAR LINE...: sets VAR to the directory holding the tree for
# the resolved packages LINE... ("name version deb").
userland_part() {
    local -n _dir=$1
    shift
    local key part tmp line
    key=$({
        echo "pidvisor-userland 1"
        sha256_file "$here/lib/userland.sh"
        package_versions "$@"
    } | sha256_text)
    part="$images/.parts/userland-$key"
    if [[ -f $part/.complete ]]; then
        touch "$part/.complete"
        _dir=$part
        return 0
    fi
    ensure_debs "$@"
    tmp="$part.tmp-$$"
    rm -rf "$tmp"
    mkdir -p "$tmp/root"
    for line in "$@"; do
        dpkg-deb -x "${line##* }" "$tmp/root" || die "cannot unpack ${line##* }"
    done
    finish_userland "$tmp/root"
    touch "$tmp/.complete"
    rm -rf "$part"
    mv -T "$tmp" "$part"
    prune_parts userland
    _dir=$part
}

finish_userland() {
    local root=$1 d app target
    # Trixie is merged-/usr, and dpkg-deb -x makes none of the top links.
    for d in bin sbin lib; do ln -sfn "usr/$d" "$root/$d"; done
    mkdir -p "$root/usr/lib64"
    ln -sfn usr/lib64 "$root/lib64"
    [[ -e $root/usr/lib64/ld-linux-x86-64.so.2 ]] ||
        ln -sfn ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/usr/lib64/ld-linux-x86-64.so.2"

    # What a guest never reads: documentation (copyright files stay),
    # translations, iconv modules, unit files, udev and cron rules.
    rm -rf "$root"/usr/share/{man,info,locale,lintian,bug,bash-completion,initramfs-tools,menu}
    rm -rf "$root"/usr/lib/x86_64-linux-gnu/gconv "$root"/usr/lib/{systemd,udev} "$root"/etc/cron.d
    if [[ -d $root/usr/share/doc ]]; then
        find "$root/usr/share/doc" -type f ! -name copyright -delete
        find "$root/usr/share/doc" -depth -type d -empty -delete
    fi

    # busybox applets for every command no package provides.
    [[ -x $root/usr/bin/busybox ]] || die "busybox is missing from the guest packages"
    "$root/usr/bin/busybox" --list-full >"$root/.applets" || die "cannot list the busybox applets"
    while IFS= read -r app; do
        case $app in
        bin/* | usr/bin/*) target=usr/bin ;;
        sbin/* | usr/sbin/*) target=usr/sbin ;;
        *) continue ;;
        esac
        app=${app##*/}
        [[ -e $root/usr/bin/$app || -e $root/usr/sbin/$app || -L $root/usr/bin/$app || -L $root/usr/sbin/$app ]] && continue
        if [[ $target == usr/bin ]]; then
            ln -s busybox "$root/usr/bin/$app"
        else
            ln -s ../bin/busybox "$root/usr/sbin/$app"
        fi
    done <"$root/.applets"
    rm -f "$root/.applets"

    mkdir -p "$root"/{dev,proc,sys,run,tmp,root,mnt,etc,var/lib/pidvisor,var/log,var/tmp,usr/libexec/pidvisor}
    chmod 1777 "$root/tmp" "$root/var/tmp"
    chmod 700 "$root/root"
    ln -sfn ../run "$root/var/run"
    ln -sfn /proc/self/mounts "$root/etc/mtab"
}
