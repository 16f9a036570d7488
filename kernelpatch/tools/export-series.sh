#!/usr/bin/env bash
# Developer tool: regenerate kernelpatch/patches/ from a kernel git tree
# whose commits since BASE are the series, fill in the cover letter from
# cover-blurb.txt and run checkpatch --strict on every patch.
#
#   tools/export-series.sh KERNEL_GIT_DIR [BASE [BRANCH]]
#
# BASE defaults to the tag "pristine" that build-kernel.sh puts on the
# extracted source, BRANCH to HEAD.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tree=${1:?usage: export-series.sh KERNEL_GIT_DIR [BASE [BRANCH]]}
base=${2:-refs/tags/pristine}
branch=${3:-HEAD}
out="$here/patches"

rm -f "$out"/*.patch
git -C "$tree" format-patch -q --cover-letter --zero-commit --no-signature \
    -o "$out" "$base..$branch"

# Put the subject and the blurb into the cover letter.
cover="$out/0000-cover-letter.patch"
blurb="$here/tools/cover-blurb.txt"
subject=$(sed -n 's/^Subject: //p' "$blurb" | head -n 1)
python3 - "$cover" "$blurb" "$subject" <<'PY'
import sys
cover, blurb, subject = sys.argv[1:]
text = open(cover).read()
body = open(blurb).read().split("\n", 1)[1].strip("\n")
text = text.replace("*** SUBJECT HERE ***", subject)
text = text.replace("*** BLURB HERE ***", body)
open(cover, "w").write(text)
PY

status=0
for p in "$out"/0*.patch; do
    [[ $p == "$cover" ]] && continue
    # spdxcheck.py needs the system python (python3-ply, python3-git).
    res=$(PATH=/usr/bin:$PATH perl "$tree/scripts/checkpatch.pl" --strict "$p" 2>&1 || true)
    echo "$(basename "$p"): $(grep '^total:' <<<"$res")"
    grep -q '^total: 0 errors, 0 warnings, 0 checks' <<<"$res" || { echo "$res"; status=1; }
done
exit $status
