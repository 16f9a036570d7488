#!/usr/bin/env python3
"""The automated VM test matrix: kernels x scenarios, in real VMs.

    tests/matrix/run_matrix.py [--kernel stock|container]... [--scenario NAME]...
                               [--out DIR] [--accel tcg|kvm|auto] [--keep]

Each scenario is one small file in scenarios/ defining NAME, DESCRIPTION and
run(ctx). A scenario passes when run() returns, fails when it raises, and is
skipped, visibly and with its reason, when it raises Skip. run() may return
a dict of metrics (boot_to_ready_ms, ...) shown in the table. Results go to
OUT/junit.xml and OUT/matrix.md (default build/matrix/). Exit status 1 when
anything failed.
"""
import argparse
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNELS = ["container", "stock"]


class Skip(Exception):
    """The scenario cannot run on this kernel; the message says why."""


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Context:
    """What a scenario gets: the kernel, the CLI, VMs that are cleaned up."""

    def __init__(self, kernel, bin_dir, db, accel, run_id):
        self.kernel = kernel
        self.bin = bin_dir
        self.db = db
        self.accel = accel
        self.run_id = run_id
        self.vms = []
        self._shared = None
        self.Skip = Skip
        self.Failure = Failure
        self.check = check

    def run(self, *args, timeout=900, env=None):
        cmd = [os.path.join(self.bin, "pidvisor"), "--db", self.db, "--json", *args]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                           env={**os.environ, **(env or {})})
        return p

    def pv(self, *args, timeout=900):
        p = self.run(*args, timeout=timeout)
        if p.returncode != 0:
            raise Failure(f"pidvisor {' '.join(args)} failed: {p.stderr.strip()[-600:]}")
        return json.loads(p.stdout) if p.stdout.strip() else None

    def new_vm(self, base, memory=768):
        name = f"mx-{self.kernel[:4]}-{base}-{self.run_id}"
        self.vms.append(name)
        vm = self.pv("vm", "create", name, "--kernel", self.kernel, "--accel", self.accel,
                     "--memory", str(memory))
        return name, vm

    def shared_vm(self):
        """One VM per kernel that scenarios share (created on first use)."""
        if self._shared is None:
            self._shared = self.new_vm("shared")[0]
        return self._shared

    def vm_exec(self, vm, *argv, check_exit=True):
        # The CLI exits with the command's code: read its JSON either way.
        p = self.run("vm", "exec", vm, "--", *argv)
        if not p.stdout.strip():
            raise Failure(f"pidvisor vm exec {' '.join(argv)} failed: {p.stderr.strip()[-600:]}")
        r = json.loads(p.stdout)
        if check_exit:
            check(r["exit_code"] == 0, f"{' '.join(argv)} exited {r['exit_code']}: {r['stderr'][-400:]}")
        return r

    def agent_socket(self, vm):
        xml = subprocess.run(["virsh", "-c", "qemu:///system", "dumpxml", vm], capture_output=True,
                             text=True).stdout
        marker = "org.pidvisor.agent.0"
        for line in xml.splitlines():
            if "source mode='bind'" in line and marker in line:
                return line.split("path='")[1].split("'")[0]
        raise Failure(f"VM {vm} has no agent channel socket")

    def cleanup(self, keep):
        for vm in self.vms:
            if keep:
                print(f"  keeping VM {vm}")
                continue
            self.run("vm", "rm", "--force", vm, timeout=120)


def load_scenarios(selected):
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios")
    found = []
    for fname in sorted(os.listdir(folder)):
        if not fname.endswith(".py") or fname.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(fname[:-3], os.path.join(folder, fname))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        if not selected or mod.NAME in selected:
            found.append(mod)
    found.sort(key=lambda m: getattr(m, "ORDER", 50))
    return found


def write_reports(out, kernels, scenarios, results):
    os.makedirs(out, exist_ok=True)
    suites = ET.Element("testsuites", name="pidvisor-matrix")
    for kernel in kernels:
        rs = [r for r in results if r["kernel"] == kernel]
        suite = ET.SubElement(suites, "testsuite", name=f"kernel-{kernel}", tests=str(len(rs)),
                              failures=str(sum(r["status"] == "fail" for r in rs)),
                              skipped=str(sum(r["status"] == "skip" for r in rs)),
                              time=f"{sum(r['seconds'] for r in rs):.2f}")
        for r in rs:
            case = ET.SubElement(suite, "testcase", classname=f"matrix.{kernel}", name=r["scenario"],
                                 time=f"{r['seconds']:.2f}")
            if r["status"] == "fail":
                ET.SubElement(case, "failure", message=r["detail"][:300]).text = r["detail"]
            elif r["status"] == "skip":
                ET.SubElement(case, "skipped", message=r["detail"])
            if r["metrics"]:
                ET.SubElement(case, "system-out").text = json.dumps(r["metrics"])
    ET.ElementTree(suites).write(os.path.join(out, "junit.xml"), encoding="utf-8", xml_declaration=True)

    lines = ["# Pidvisor VM test matrix", "",
             "| scenario | " + " | ".join(f"kernel `{k}`" for k in kernels) + " |",
             "|---|" + "---|" * len(kernels)]
    for s in scenarios:
        cells = []
        for k in kernels:
            r = next((x for x in results if x["kernel"] == k and x["scenario"] == s.NAME), None)
            if r is None:
                cells.append("-")
                continue
            icon = {"pass": "pass", "fail": "**FAIL**", "skip": "skip"}[r["status"]]
            text = f"{icon} ({r['seconds']:.1f} s)"
            if r["metrics"]:
                text += "<br>" + ", ".join(f"{key} {value}" for key, value in r["metrics"].items())
            if r["detail"]:
                text += "<br>" + r["detail"].replace("|", "\\|").replace("\n", " ")[:240]
            cells.append(text)
        lines.append(f"| {s.NAME}: {s.DESCRIPTION} | " + " | ".join(cells) + " |")
    with open(os.path.join(out, "matrix.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return os.path.join(out, "matrix.md")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", action="append", choices=KERNELS)
    ap.add_argument("--scenario", action="append")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "matrix"))
    ap.add_argument("--bin", default=os.environ.get("PIDVISOR_BIN_DIR", os.path.join(ROOT, "build", "bin")))
    ap.add_argument("--accel", default="auto")
    ap.add_argument("--keep", action="store_true", help="keep the VMs for inspection")
    args = ap.parse_args()
    kernels = args.kernel or KERNELS
    scenarios = load_scenarios(args.scenario)
    if not scenarios:
        sys.exit(f"no scenario matches {args.scenario}")
    os.makedirs(args.out, exist_ok=True)
    db = os.path.join(args.out, "inventory.db")
    # Container images of this run beside its inventory, not the host's own.
    os.environ["PIDVISOR_IMAGES_DIR"] = os.path.join(args.out, "images")
    run_id = f"{os.getpid() % 100000}"
    results = []
    for kernel in kernels:
        ctx = Context(kernel, args.bin, db, args.accel, run_id)
        print(f"kernel {kernel}:", flush=True)
        try:
            for s in scenarios:
                started = time.monotonic()
                status, detail, metrics = "pass", "", {}
                try:
                    metrics = s.run(ctx) or {}
                    if isinstance(metrics, tuple):
                        metrics, detail = metrics
                except Skip as e:
                    status, detail = "skip", str(e)
                except Exception as e:  # a failed scenario must not stop the others
                    status, detail = "fail", f"{type(e).__name__}: {e}"
                seconds = time.monotonic() - started
                results.append({"kernel": kernel, "scenario": s.NAME, "status": status, "detail": detail,
                                "metrics": metrics, "seconds": seconds})
                print(f"  {s.NAME:<16} {status:<5} {seconds:6.1f} s  {detail[:160]} {metrics or ''}", flush=True)
        finally:
            ctx.cleanup(args.keep)
    report = write_reports(args.out, kernels, scenarios, results)
    print(f"\nmatrix: {report} and {os.path.join(args.out, 'junit.xml')}")
    failed = sum(r["status"] == "fail" for r in results)
    passed = sum(r["status"] == "pass" for r in results)
    skipped = sum(r["status"] == "skip" for r in results)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
