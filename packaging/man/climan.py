#!/usr/bin/env python3
"""Writes a man page for a program from its own --help output.

  climan.py --program PATH --template FILE --version V [--subcommands] OUT

The program's command tree is read by running `PROGRAM [CMD...] --help`
for every command it lists (CLI11's "Subcommands:" section), so the page
always matches the CLI definitions in the code; the template adds the parts
the CLI does not know (description, files, environment, see also) around
the generated @OPTIONS@ and @COMMANDS@ sections. Qt's QCommandLineParser
help (pidvisor-gui) has the same two-column shape and needs no subcommands.
tests/packaging/check_manpage.py checks the result covers every command
and option.
"""
import argparse
import os
import re
import subprocess
import sys

SECTION = re.compile(r"^(Options|Positionals|Subcommands):\s*$")
ENTRY = re.compile(r"^  (\S.*?)(?:\s{2,}(\S.*))?$")


def run_help(program, path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", COLUMNS="200")
    out = subprocess.run([program, *path, "--help"], capture_output=True, text=True, env=env, timeout=60)
    if out.returncode != 0:
        sys.exit(f"climan: {' '.join([program, *path])} --help exited with {out.returncode}: {out.stderr.strip()}")
    return out.stdout


def parse_help(text):
    """Returns (summary, usage, {section: [(name, description)]})."""
    summary, usage, sections, current = "", "", {}, None
    for line in text.splitlines():
        if line.startswith("Usage:"):
            usage = line[len("Usage:"):].strip()
            continue
        m = SECTION.match(line)
        if m:
            current = sections.setdefault(m.group(1), [])
            continue
        if current is None:
            if line.strip() and not summary:
                summary = line.strip()
            continue
        if not line.strip():
            continue
        if line.startswith("   ") and current:  # continuation of the entry above
            name, desc = current[-1]
            current[-1] = (name, (desc + " " + line.strip()).strip())
            continue
        m = ENTRY.match(line)
        if m:
            current.append((m.group(1).strip(), (m.group(2) or "").strip()))
    return summary, usage, sections


def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text.startswith((".", "'")) else text


def option_name(name):
    """'--accel TEXT:{auto,kvm,tcg}=auto' -> bold flags, italic value."""
    parts = name.replace(", ", ",").split(" ", 1)
    flags = ", ".join(f"\\fB{roff(f.strip())}\\fR" for f in parts[0].split(","))
    return flags + (f" \\fI{roff(parts[1])}\\fR" if len(parts) > 1 else "")


def entries(items, name_fn):
    out = []
    for name, desc in items:
        out += [".TP", name_fn(name), roff(desc) if desc else "\\&"]
    return out


def commands_section(program, path, prog_name, sections):
    out = []
    for sub, desc in sections.get("Subcommands", []):
        sub_path = path + [sub]
        summary, usage, sub_sections = parse_help(run_help(program, sub_path))
        title = " ".join(sub_path)
        if sub_sections.get("Subcommands"):
            out += [".SS " + roff(title), roff(summary or desc)]
            out += commands_section(program, sub_path, prog_name, sub_sections)
            continue
        # "PATH vm create [OPTIONS] name": what follows the command words.
        synopsis = " ".join(usage.split()[1 + len(sub_path):])
        out += [".SS " + roff(title), f"\\fB{roff(prog_name)} {roff(title)}\\fR {roff(synopsis)}".rstrip(), ".br",
                roff(summary or desc)]
        pos = sub_sections.get("Positionals", [])
        opts = [o for o in sub_sections.get("Options", []) if not o[0].startswith("-h,")]
        if pos or opts:
            out += [".RS"]
            out += entries(pos, lambda n: "\\fI" + roff(n) + "\\fR")
            out += entries(opts, option_name)
            out += [".RE"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--program", required=True)
    ap.add_argument("--template", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("output")
    a = ap.parse_args()
    prog_name = os.path.basename(a.program)
    summary, usage, sections = parse_help(run_help(a.program, []))
    options = entries(sections.get("Options", []), option_name)
    commands = commands_section(a.program, [], prog_name, sections)
    with open(a.template, encoding="utf-8") as f:
        page = f.read()
    page = page.replace("@VERSION@", a.version)
    page = page.replace("@OPTIONS@", "\n".join(options))
    page = page.replace("@COMMANDS@", "\n".join(commands))
    tmp = a.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(tmp, a.output)


if __name__ == "__main__":
    main()
