#!/usr/bin/env python3
"""Every command and option of a program is in its man page.

  check_manpage.py PAGE PROGRAM [--complete]

The page is rendered with man(1). The program's commands and options are
read independently of the generator (packaging/man/climan.py): with
--complete through `pidvisor __complete` (the CLI11 tree itself), otherwise
from a plain scan of `--help` (every "--name" token, every listed
subcommand, recursively). Each command must have its own heading, and each
option must appear in its command's part of the page (global options once,
anywhere in the page).
"""
import os
import re
import subprocess
import sys

page, program = sys.argv[1:3]
use_complete = "--complete" in sys.argv[3:]
env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MANWIDTH="250", COLUMNS="200")


def run(*args):
    out = subprocess.run([program, *args], capture_output=True, text=True, env=env, timeout=60)
    return out.stdout


NO_DB = ["--db", "/nonexistent/pidvisor-check-manpage/inventory.db"]  # no names, only commands


def tree_from_complete(path):
    """{command path: set of options} from `pidvisor __complete`."""
    opts = {o for o in run("__complete", *NO_DB, *path, "--").split() if o != "--help"}
    result = {tuple(path): opts}
    for sub in run("__complete", *NO_DB, *path, "").split():
        result.update(tree_from_complete(path + [sub]))
    return result


def tree_from_help(path):
    text = run(*path, "--help")
    opts = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text)) - {"--help"}
    result = {tuple(path): opts}
    subs = re.search(r"^Subcommands:\n((?:  .*\n?)*)", text, re.M)
    for line in (subs.group(1).splitlines() if subs else []):
        name = line.split()[0]
        result.update(tree_from_help(path + [name]))
    return result


rendered = subprocess.run(["man", "-l", "-P", "cat", page], capture_output=True, text=True, env=env,
                          timeout=60).stdout
rendered = re.sub(r".\x08", "", rendered)
lines = rendered.splitlines()
tree = tree_from_complete([]) if use_complete else tree_from_help([])

# A command's part: from its heading ("   vm create") to the next heading.
headings = {}
for i, line in enumerate(lines):
    m = re.fullmatch(r"   (\S.*)", line)
    if m:
        headings[m.group(1).strip()] = i
order = sorted(headings.values())

# Options every command accepts (CLI11 lists the program's global options
# under each subcommand too) are documented once, in the program's part.
global_opts = tree.get((), set())

failures = []
for path, opts in sorted(tree.items()):
    if path:
        opts = opts - global_opts
    if not path:
        part = rendered
    else:
        title = " ".join(path)
        if title not in headings:
            failures.append(f"command '{title}' has no heading in {os.path.basename(page)}")
            continue
        start = headings[title]
        end = next((j for j in order if j > start), len(lines))
        part = "\n".join(lines[start:end])
    for opt in sorted(opts):
        if not re.search(r"(?<![\w-])" + re.escape(opt) + r"(?![\w-])", part):
            failures.append(f"option {opt} of '{' '.join(path) or os.path.basename(program)}' is not in its part of the page")

for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print(f"{os.path.basename(page)}: {len(tree)} commands, {sum(len(o) for o in tree.values())} options, all documented")
