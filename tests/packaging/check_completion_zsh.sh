#!/bin/bash
# The zsh completion function (packaging/completion/_pidvisor) with the real
# program, autoloaded from an fpath directory as zsh's compinit would: it
# offers commands, subcommands, options and paths. compadd and _files are
# stood in for (they exist only inside zsh's completion widgets) and
# record what the function offers.
#   check_completion_zsh.sh SCRIPT BIN_DIR
set -euo pipefail
script=$1 bin_dir=$2
command -v zsh >/dev/null || { echo "SKIP: zsh is not installed (packaging/install-deps.sh installs it)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/fpath"
cp "$script" "$tmp/fpath/_pidvisor"
db=$tmp/inventory.db
PATH=$bin_dir:$PATH pidvisor --db "$db" ops >/dev/null # an empty inventory
touch "$tmp/other.db"

# complete_line EXPECTED WORD...: the last word is the one being completed.
fail=0
complete_line() {
    local expected=$1 got
    shift
    got=$(PATH=$bin_dir:$PATH FPATH_DIR=$tmp/fpath zsh -f -c '
        fpath=($FPATH_DIR $fpath)
        offered=()
        compadd() { while [[ $1 == -* && $1 != -- ]]; do shift; done; [[ $1 == -- ]] && shift; offered+=("$@"); }
        _files() { offered+=(${words[CURRENT]}*(N)); }
        words=(pidvisor "$@")
        CURRENT=${#words}
        autoload -Uz _pidvisor
        _pidvisor
        print -rl -- $offered' zsh "$@" | sort | paste -sd' ')
    if [[ $got != "$expected" ]]; then
        echo "FAIL: pidvisor $* <TAB> gave '$got', expected '$expected'"
        fail=1
    fi
}

# shellcheck source-path=SCRIPTDIR source=completion_cases.sh
source "$(dirname "${BASH_SOURCE[0]}")/completion_cases.sh"
completion_cases
((fail == 0)) && echo "zsh completion: ok"
exit $fail
