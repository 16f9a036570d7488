# The lines both shells' completion scripts are checked on (sourced by
# check_completion.sh and check_completion_zsh.sh, which define
# complete_line EXPECTED WORD...; the last word is the one being completed).
# $db is an empty inventory, $tmp/other.db a file beside it.
completion_cases() {
    complete_line "version" ve
    complete_line "create" --db "$db" vm cr
    complete_line "checkpoint container" --db "$db" c
    complete_line "--memory" --db "$db" vm create --me
    complete_line "container stock" --db "$db" vm create --kernel ''
    complete_line "" --db "$db" vm show ''
    # --db takes a path: files are offered.
    complete_line "$tmp/other.db" --db "$tmp/oth"
}
