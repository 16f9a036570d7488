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
touch "$tmp/other.db"
# shellcheck source-path=SCRIPTDIR source=completion_cases.sh
source "$(dirname "${BASH_SOURCE[0]}")/completion_cases.sh"
completion_cases
((fail == 0)) && echo "bash completion: ok"
exit $fail
