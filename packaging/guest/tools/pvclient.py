#!/usr/bin/env python3
"""A tiny client of the Pidvisor agent protocol (guestagent/protocol/PROTOCOL.md)
for checking guest images by hand and from boot-test.sh.

    pvclient.py SOCKET CMD [ARGS_JSON] [--timeout S]

SOCKET is a unix socket that reaches the agent: QEMU's chardev socket of the
virtio-serial port, or the agent's own socket. The client first resynchronises
with `sync` (repeated every second until answered), then sends CMD and prints
the response header as JSON on stdout (the payload, if any, on stderr). Exit
status: 0 when the response is ok, 1 when it is an error, 2 on timeout or a
transport failure.
"""
import json
import os
import socket
import struct
import sys
import time

MAGIC = b"PVF1"


def frame(header, payload=b""):
    h = json.dumps(header).encode()
    return MAGIC + struct.pack(">II", len(h), len(payload)) + h + payload


class Channel:
    def __init__(self, path, deadline):
        self.deadline = deadline
        self.sock = None
        # QEMU's chardev socket exists before the VM runs: retry until then.
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise TimeoutError(f"cannot connect to {path}")
                time.sleep(0.1)
        self.buf = b""

    def send(self, header, payload=b""):
        self.sock.sendall(frame(header, payload))

    def recv(self, until):
        """One frame, or None when `until` (monotonic) passes first."""
        while True:
            i = self.buf.find(MAGIC)
            if i > 0:
                self.buf = self.buf[i:]
            if len(self.buf) >= 12 and self.buf.startswith(MAGIC):
                hl, pl = struct.unpack(">II", self.buf[4:12])
                if len(self.buf) >= 12 + hl + pl:
                    h = self.buf[12:12 + hl]
                    p = self.buf[12 + hl:12 + hl + pl]
                    self.buf = self.buf[12 + hl + pl:]
                    try:
                        return json.loads(h), p
                    except ValueError:
                        continue
            left = min(until, self.deadline) - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not data:
                raise ConnectionError("the agent closed the connection")
            self.buf += data


def call(path, cmd, args, timeout):
    deadline = time.monotonic() + timeout
    ch = Channel(path, deadline)
    nonce = f"pvclient-{os.getpid()}-{time.time_ns()}"
    synced = False
    while not synced:
        if time.monotonic() > deadline:
            raise TimeoutError("no answer to sync")
        ch.send({"kind": "request", "id": 1, "cmd": "sync", "args": {"nonce": nonce}})
        until = time.monotonic() + 1.0
        while True:
            got = ch.recv(until)
            if got is None:
                break
            h, _ = got
            if h.get("kind") == "response" and h.get("id") == 1 and \
                    (h.get("result") or {}).get("nonce") == nonce:
                synced = True
                break
    start = time.monotonic()
    ch.send({"kind": "request", "id": 2, "cmd": cmd, "args": args})
    while True:
        got = ch.recv(deadline)
        if got is None:
            raise TimeoutError(f"no answer to {cmd}")
        h, p = got
        if h.get("kind") == "response" and h.get("id") == 2:
            h["_round_trip_ms"] = round((time.monotonic() - start) * 1000, 1)
            return h, p


def main():
    argv = sys.argv[1:]
    timeout = 60.0
    if "--timeout" in argv:
        i = argv.index("--timeout")
        timeout = float(argv[i + 1])
        del argv[i:i + 2]
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    args = json.loads(argv[2]) if len(argv) == 3 else {}
    try:
        h, p = call(argv[0], argv[1], args, timeout)
    except (OSError, TimeoutError, ConnectionError) as e:
        print(f"pvclient: {e}", file=sys.stderr)
        return 2
    print(json.dumps(h, indent=2))
    if p:
        sys.stderr.buffer.write(p)
    return 0 if h.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
