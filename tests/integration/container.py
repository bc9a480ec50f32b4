#!/usr/bin/env python3
"""The container image, built from the Dockerfile and run as an operator would run it.

podman builds it (chroot isolation, from a Debian base made here: tests/container/base-image);
buildah runs it (podman run needs namespaces these machines do not give).  Checked:
- with nothing configured (no token, no SMS provider) it exits 1 and says why;
- with a token from the environment it serves on all addresses (the default of TYNDAU_LISTEN),
  takes Redis from TYNDAU_REDIS, a citizen's message through the fake Bot API becomes a case;
- its HEALTHCHECK command (`tyndau probe`) answers 0, /readyz 200;
- it runs as the user tyndau, the data volume holds the database and nothing else, no
  package caches are left in the image; its size is printed.

Usage: container.py
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import telegram as tg  # noqa: E402

ROOT = tg.ROOT
IMAGE = "localhost/tyndau:test"


def run(*cmd, check=True, **kw):
    r = subprocess.run(list(cmd), capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError("%s: %s%s" % (" ".join(cmd), r.stdout, r.stderr))
    return r


def in_container(c, *cmd, env=(), check=True):
    args = ["buildah", "run", "--isolation", "chroot"]
    for e in env:
        args += ["--env", e]
    return run(*(args + [c, "--"] + list(cmd)), check=check)


def main():
    if os.geteuid() != 0:
        print("container: SKIP (podman and buildah need root here)")
        return
    for tool in ("podman", "buildah", "debootstrap"):
        assert shutil.which(tool), tool + " is not installed (make deps)"
    run(os.path.join(ROOT, "tests/container/base-image"))
    start = time.time()
    build = run("podman", "build", "--format", "docker", "--isolation=chroot", "--pull=never",
                "-t", IMAGE, ROOT)
    built_in = time.time() - start
    info = json.loads(run("podman", "image", "inspect", IMAGE).stdout)[0]
    size = info["Size"]
    base = json.loads(run("podman", "image", "inspect", "docker.io/library/debian:bookworm-slim").stdout)[0]["Size"]
    health = info.get("Healthcheck") or info["Config"].get("Healthcheck") or {}
    assert health.get("Test", [])[-1:] == ["probe"], health
    assert info["Config"]["User"] == "tyndau", info["Config"]
    assert "8080/tcp" in info["Config"].get("ExposedPorts", {}), info["Config"]
    c = run("buildah", "from", "--pull-never", IMAGE).stdout.strip()
    work = tempfile.mkdtemp()
    fake = redis = daemon = None
    try:
        # no caches, and the version
        r = in_container(c, "sh", "-c", "ls /var/lib/apt/lists /var/cache/apt/archives | grep -c deb || true")
        assert r.stdout.strip() == "0", "package caches left: " + r.stdout
        assert in_container(c, "tyndau", "--version").stdout.strip() == "tyndau " + open(
            os.path.join(ROOT, "VERSION")).read().strip()
        # nothing configured: a clear error, not a quiet exit 0
        r = in_container(c, "tyndau", "-c", "/etc/tyndau/tyndau.conf", "run", check=False)
        assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
        assert "no channel" in (r.stdout + r.stderr), r.stdout + r.stderr
        # the listener's default is all addresses
        in_container(c, "grep", "-q", "env:TYNDAU_LISTEN:0.0.0.0:8080", "/etc/tyndau/tyndau.conf")
        # a real run: Telegram (the fake Bot API) and Redis on the host, settings from the env
        fake = tg.Fake(work)
        rport, port = tg.free_port(), tg.free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(rport), "--save", "", "--appendonly", "no"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env = ["TELEGRAM_BOT_TOKEN=" + tg.TOKEN, "TYNDAU_TELEGRAM_API_URL=" + fake.url,
               "TYNDAU_LISTEN=0.0.0.0:%d" % port, "TYNDAU_REDIS=127.0.0.1:%d" % rport]
        args = ["buildah", "run", "--isolation", "chroot"]
        for e in env:
            args += ["--env", e]
        log = open(os.path.join(work, "daemon.log"), "w")
        daemon = subprocess.Popen(args + [c, "--", "tyndau", "-c", "/etc/tyndau/tyndau.conf", "run"],
                                  stdout=log, stderr=log, start_new_session=True)
        tg.wait(lambda: urllib.request.urlopen("http://127.0.0.1:%d/livez" % port, timeout=2).status == 200,
                30, "the container's listener")
        chat = 555001
        fake.updates([tg.message(chat, "Алмалы ауданында үш күннен бері су жоқ")])
        tg.wait(lambda: fake.to(chat), 20, "the reply in the container")
        r = in_container(c, "tyndau", "-c", "/etc/tyndau/tyndau.conf", "probe", env=["TYNDAU_LISTEN=0.0.0.0:%d" % port])
        assert "/livez: 200" in r.stdout, r.stdout
        tg.wait(lambda: urllib.request.urlopen("http://127.0.0.1:%d/readyz" % port, timeout=2).status == 200,
                20, "/readyz 200")
        assert in_container(c, "id", "-un").stdout.strip() == "tyndau"
        owner = in_container(c, "stat", "-c", "%U %a", "/var/lib/tyndau").stdout.split()
        assert owner == ["tyndau", "700"], owner
        files = in_container(c, "ls", "-A", "/var/lib/tyndau").stdout.split()
        # the database, and the copies of citizens' files beside it
        assert files and all(f.startswith("tyndau.db") or f == "files" for f in files), files
        owner = in_container(c, "stat", "-c", "%U %a", "/var/lib/tyndau/files").stdout.split()
        assert owner == ["tyndau", "750"], owner
    finally:
        if daemon and daemon.poll() is None:
            os.killpg(daemon.pid, signal.SIGTERM)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(daemon.pid, signal.SIGKILL)
        if redis:
            redis.kill()
        if fake:
            fake.stop()
        run("buildah", "rm", c, check=False)
        shutil.rmtree(work, ignore_errors=True)
    print("PASS container: built in %.0f s; %.1f MB (the Debian base %.1f MB, tyndau's layers %.1f MB); "
          "exits 1 with nothing configured; serves on 0.0.0.0 with settings from the environment; "
          "HEALTHCHECK probe 0; user tyndau; the volume holds only the database; no package caches"
          % (built_in, size / 1e6, base / 1e6, (size - base) / 1e6))
    print("container: PASS")


if __name__ == "__main__":
    main()
