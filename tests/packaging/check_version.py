#!/usr/bin/env python3
"""One version everywhere: every program's --version, the agent's hello,
packaging/debian/changelog, CHANGELOG.md and the AppStream metainfo all say
the version of project(pidvisor VERSION ...).

  check_version.py VERSION BIN_DIR SOURCE_DIR METAINFO
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

version, bin_dir, src, metainfo = sys.argv[1:5]
failures = []


def check(what, got):
    if got != version:
        failures.append(f"{what} says {got!r}, the project is {version!r}")


def last_word(cmd):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    if out.returncode != 0:
        failures.append(f"{' '.join(cmd)} exited with {out.returncode}: {out.stderr.strip()}")
        return None
    words = out.stdout.split()
    return words[-1] if words else ""


check("pidvisor --version", last_word([f"{bin_dir}/pidvisor", "--version"]))
check("pidvisor-agent --version", last_word([f"{bin_dir}/pidvisor-agent", "--version"]))
if os.path.exists(f"{bin_dir}/pidvisor-gui"):
    check("pidvisor-gui --version", last_word([f"{bin_dir}/pidvisor-gui", "--version"]))

# The agent's hello (agent_version), through its own CLI's `info --json`.
with tempfile.TemporaryDirectory(prefix="pidvisor-version-") as tmp:
    sock = f"{tmp}/agent.sock"
    agent = subprocess.Popen([f"{bin_dir}/pidvisor-agent", "--socket", sock, "serve", "--state-dir", f"{tmp}/state"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not os.path.exists(sock) and agent.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        info = subprocess.run([f"{bin_dir}/pidvisor-agent", "--socket", sock, "--json", "info"],
                              capture_output=True, text=True, timeout=30)
        if info.returncode != 0:
            failures.append(f"pidvisor-agent info failed ({info.returncode}): {info.stderr.strip()}")
        else:
            hello = json.loads(info.stdout)
            check("the agent's hello (agent_version)", hello.get("agent_version"))
    finally:
        agent.terminate()
        try:
            agent.wait(timeout=10)
        except subprocess.TimeoutExpired:
            agent.kill()
            agent.wait()

with open(f"{src}/packaging/debian/changelog", encoding="utf-8") as f:
    m = re.match(r"pidvisor \(([^)-]+)(?:-[^)]+)?\)", f.readline())
check("packaging/debian/changelog (upstream part)", m.group(1) if m else None)

with open(f"{src}/CHANGELOG.md", encoding="utf-8") as f:
    releases = re.findall(r"^## \[(\d[^\]]*)\]", f.read(), re.M)
check("CHANGELOG.md (newest release)", releases[0] if releases else None)

with open(metainfo, encoding="utf-8") as f:
    m = re.search(r'<release version="([^"]+)"', f.read())
check("the AppStream metainfo (newest release)", m.group(1) if m else None)

for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print(f"version {version} everywhere")
