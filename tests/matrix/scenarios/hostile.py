"""The agent survives hostile input on its host channel, and nothing changes."""
import socket
import struct

NAME = "hostile"
DESCRIPTION = "agent survives hostile input"
ORDER = 40


def frame(header, payload=b""):
    return b"PVF1" + struct.pack(">II", len(header), len(payload)) + header + payload


def run(ctx):
    vm = ctx.shared_vm()
    ctx.pv("container", "create", vm, "keep", "--", "/bin/sleep", "1000")
    before = ctx.pv("container", "list", vm)
    path = ctx.agent_socket(vm)
    junk = [
        b"\x00\xff garbage that is no frame" * 40,
        b"PVF1" + struct.pack(">II", 0xFFFFFFFF, 0),
        b"PVF1" + struct.pack(">II", 10, 0xFFFFFFF0) + b"{}",
        frame(b"{not json"),
        frame(b"[1,2,3]"),
        frame(b'{"kind":"request","id":5,"cmd":"container-explode"}'),
        frame(b'{"kind":"request","id":6,"cmd":"container-create","args":{"name":"../x","argv":["sh"]}}'),
        frame(b'{"kind":"request","id":7,"cmd":"container-rm","args":{"name":"keep"}}'),
        frame(b'{"kind":"request","id":8,"cmd":"hello"')[:30],
    ]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(path)
    for blob in junk:
        sock.sendall(blob)
    sock.close()
    after = ctx.pv("container", "list", vm)  # reconnects and resynchronises
    ctx.check([c["name"] for c in after] == [c["name"] for c in before], f"state changed: {after}")
    ctx.check(all(c["state"] == "running" for c in after), "a container stopped")
    ctx.pv("container", "rm", "--force", vm, "keep")
    return {"hostile_inputs": len(junk)}
