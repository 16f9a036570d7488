"""A server from a container image: imported, created, checkpointed, restored in a second VM, same pids.

The OCI archive is written here with Python's tarfile, hashlib and json (a
second, independent maker of the layout `podman save --format oci-archive`
writes): Debian's static busybox and a server that records its own pid.
"""
import gzip
import hashlib
import io
import json
import os
import tarfile
import time

NAME = "image"
DESCRIPTION = "a server from an OCI image, restored in another VM with the same pids"
ORDER = 75

BUSYBOX = "/bin/busybox"
SERVER = ("echo $$ > /srv/server.pid; i=0; "
          "while true; do i=$((i+1)); echo $i > /srv/count; sleep 0.2; done")


def _tar(entries):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, kind, data, mode, uid in entries:
            info = tarfile.TarInfo(name)
            info.mode, info.uid, info.gid, info.mtime = mode, uid, uid, 1700000000
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            elif kind == "link":
                info.type, info.linkname = tarfile.SYMTYPE, data
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def make_archive(path):
    with open(BUSYBOX, "rb") as f:
        busybox = f.read()
    layer = gzip.compress(_tar([
        ("bin", "dir", None, 0o755, 0), ("bin/busybox", "file", busybox, 0o755, 0),
        *[(f"bin/{n}", "link", "busybox", 0o777, 0) for n in ("sh", "cat", "sleep")],
        ("etc", "dir", None, 0o755, 0),
        ("etc/passwd", "file", b"root:x:0:0::/:/bin/sh\nsrv:x:500:500::/srv:/bin/sh\n", 0o644, 0),
        ("srv", "dir", None, 0o755, 500), ("tmp", "dir", None, 0o1777, 0)]), mtime=0)
    diff_id = hashlib.sha256(gzip.decompress(layer)).hexdigest()
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "config": {"Entrypoint": ["/bin/sh", "-c"], "Cmd": [SERVER], "User": "srv",
                                    "WorkingDir": "/srv"},
                         "rootfs": {"type": "layers", "diff_ids": [f"sha256:{diff_id}"]}}).encode()
    blobs = {}

    def blob(data):
        digest = hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"digest": f"sha256:{digest}", "size": len(data)}

    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **blob(config)},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                       **blob(layer)}]}).encode()
    index = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", **blob(manifest),
         "annotations": {"org.opencontainers.image.ref.name": "localhost/mxserver:latest"}}]}).encode()
    files = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}', ), ("index.json", index)]
    files += [(f"blobs/sha256/{d}", data) for d, data in blobs.items()]
    with open(path, "wb") as f:
        f.write(_tar([(name, "file", data, 0o644, 0) for name, data in files]))
    return "sha256:" + hashlib.sha256(config).hexdigest()


def run(ctx):
    if not os.path.exists(BUSYBOX):
        raise ctx.Skip(f"{BUSYBOX} is missing (Debian's busybox-static; make deps installs it)")
    archive = os.path.join(os.environ["PIDVISOR_IMAGES_DIR"] + "-src", "mxserver.tar")
    os.makedirs(os.path.dirname(archive), exist_ok=True)
    digest = make_archive(archive)
    image = ctx.pv("image", "import", archive)
    ctx.check(image["digest"] == digest, f"the image is {image['digest']}, its config {digest}")
    source = ctx.shared_vm()
    target, _ = ctx.new_vm("imgtarget")
    started = time.monotonic()
    ctx.pv("container", "create", source, "srv", "--image", image["name"])
    create_ms = (time.monotonic() - started) * 1000
    for _ in range(50):
        p = ctx.run("container", "exec", source, "srv", "--", "cat", "/srv/server.pid")
        if p.returncode == 0 and json.loads(p.stdout).get("stdout") == "1\n":
            break
        time.sleep(0.3)
    else:
        raise ctx.Failure("the image's server never wrote its pid file")
    before = [(p["vpid"], p["cmdline"]) for p in ctx.pv("container", "ps", source, "srv") if p["vpid"] == 1]
    cp = ctx.pv("container", "checkpoint", source, "srv")
    ctx.pv("container", "restore", cp["id"], "--vm", target)
    after = [(p["vpid"], p["cmdline"]) for p in ctx.pv("container", "ps", target, "srv") if p["vpid"] == 1]
    ctx.check(after == before and after, f"the server is not virtual pid 1 again: {before} vs {after}")
    pid = ctx.pv("container", "exec", target, "srv", "--", "cat", "/srv/server.pid")["stdout"]
    ctx.check(pid == "1\n", f"the pid file says {pid!r}")
    ctx.pv("container", "rm", "--force", target, "srv")
    ctx.pv("container", "rm", "--force", source, "srv")
    ctx.pv("image", "rm", image["name"])
    return {"create_ms": round(create_ms), "checkpoint_kib": cp["size"] // 1024}
