# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # globals shared with build-image.sh
# Package resolution through packaging/debian13-apt.sh (sourced by
# build-image.sh). Needs: apt_sh, images (the image cache directory).
#
# Resolving a closure costs apt several seconds, too slow for the "image is
# already built" path. The closure only changes when the package lists do, so
# it is kept under $images/.resolved/, keyed by the lists' Release files, the
# sources and the request.

# resolve_packages VAR PKG...: fills the array VAR with "name version deb"
# lines of the dependency closure of PKG..., sorted by name.
resolve_packages() {
    local -n _out=$1
    shift
    "$apt_sh" update || die "cannot refresh the Debian 13 package lists"
    local aptdir releases=() key file
    aptdir=$("$apt_sh" dir)
    mapfile -t releases < <(compgen -G "$aptdir/lists/*Release" | LC_ALL=C sort)
    ((${#releases[@]})) || die "no Debian 13 package lists under $aptdir/lists"
    key=$({
        echo "pidvisor-resolve 1 $*"
        cat "$aptdir/sources.list" "${releases[@]}"
    } | sha256_text)
    file="$images/.resolved/$key"
    if [[ ! -s $file ]]; then
        download_closure "$file" "$@"
    fi
    mapfile -t _out <"$file"
}

# download_closure FILE PKG...: downloads the closure (cached by apt) and
# records it in FILE.
download_closure() {
    local file=$1
    shift
    local debs=() d base name rest version
    # apt runs without its own locking here: one download at a time.
    exec 8>"$images/.apt.lock"
    flock 8
    mapfile -t debs < <("$apt_sh" download "$@") || die "cannot download $* from Debian 13"
    exec 8>&-
    ((${#debs[@]})) || die "resolving $* gave no packages"
    mkdir -p "$(dirname "$file")"
    for d in "${debs[@]}"; do
        base=${d##*/}
        base=${base%.deb}
        name=${base%%_*}
        rest=${base#*_}
        version=${rest%_*}
        printf '%s %s %s\n' "$name" "${version//%3a/:}" "$d"
    done | LC_ALL=C sort -k1,1 | write_atomic "$file"
}

# ensure_debs LINE...: makes sure that every .deb of a resolved closure is in
# apt's archive (it may have been cleaned since the closure was resolved).
ensure_debs() {
    local line missing=()
    for line in "$@"; do
        [[ -f ${line##* } ]] || missing+=("${line%% *}")
    done
    ((${#missing[@]})) || return 0
    log "downloading ${missing[*]} again"
    exec 8>"$images/.apt.lock"
    flock 8
    "$apt_sh" download "${missing[@]}" >/dev/null || die "cannot download ${missing[*]} from Debian 13"
    exec 8>&-
    for line in "$@"; do
        [[ -f ${line##* } ]] || die "${line##* } is missing after downloading it"
    done
}

# Names and versions only, one "name version" per line (what the hash covers).
package_versions() {
    local line
    for line in "$@"; do
        printf '%s\n' "${line% *}"
    done
}

# The upstream part of a Debian version: 1:4.1.1-1+b2 -> 4.1.1.
upstream_version() {
    local v=${1#*:}
    printf '%s\n' "${v%-*}"
}
