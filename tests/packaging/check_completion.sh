#!/bin/bash
# The bash completion script (packaging/completion/pidvisor) with the real
# program: it offers commands, subcommands and options, and inventory names
# through `pidvisor __complete`.
#   check_completion.sh SCRIPT BIN_DIR
set -euo pipefail
script=$1 bin_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=/dev/null
source "$script"
PATH=$bin_dir:$PATH
fail=0

# complete_line EXPECTED WORD...: the last word is the one being completed.
complete_line() {
    local expected=$1
    shift
    COMP_WORDS=(pidvisor "$@")
    COMP_CWORD=$(($# ))
    COMPREPLY=()
    _pidvisor
    local got
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' ')
    if [[ $got != "$expected" ]]; then
        echo "FAIL: pidvisor $* <TAB> gave '$got', expected '$expected'"
        fail=1
    fi
}

db=$tmp/inventory.db
pidvisor --db "$db" ops >/dev/null # an empty inventory
complete_line "version" ve
complete_line "create" --db "$db" vm cr
complete_line "checkpoint container" --db "$db" c
complete_line "--memory" --db "$db" vm create --me
complete_line "container stock" --db "$db" vm create --kernel ''
complete_line "" --db "$db" vm show ''
# --db takes a path: files are offered.
touch "$tmp/other.db"
complete_line "$tmp/other.db" --db "$tmp/oth"
((fail == 0)) && echo "bash completion: ok"
exit $fail
