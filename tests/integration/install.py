#!/usr/bin/env python3
"""make install as an operator runs it, and the daemon as systemd would run it.

- `make install DESTDIR=... PREFIX=/usr`: every file where the man pages say, with its mode; the
  installed configuration passes `tyndau check`; the binary is hardened (PIE, full RELRO,
  BIND_NOW, stack protector, fortified calls); the unit passes `systemd-analyze verify` without a
  word and `systemd-analyze security` rates it OK; a second install keeps what the operator
  edited; `make uninstall` removes what it installed and keeps the configuration.
- The installed daemon under the service manager's protocol: NOTIFY_SOCKET gets READY=1 once it
  serves, WATCHDOG=1 every half of WATCHDOG_USEC, RELOADING=1 and READY=1 around a SIGHUP and
  STOPPING=1 at SIGTERM; with JOURNAL_STREAM naming its stderr, every line carries its syslog
  priority.

Usage: install.py [BUILD_DIR]
"""
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))


def run(*cmd, **kw):
    return subprocess.run(list(cmd), capture_output=True, text=True, **kw)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def make(dest, target):
    r = run("make", "--no-print-directory", "-C", ROOT, "B=" + BUILD, target, "DESTDIR=" + dest,
            "PREFIX=/usr")
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def check_install(work):
    dest = os.path.join(work, "root")
    make(dest, "install")
    files = {"usr/bin/tyndau": 0o755, "usr/share/man/man1/tyndau.1": 0o644,
             "usr/share/man/man5/tyndau.conf.5": 0o644,
             "usr/lib/systemd/system/tyndau.service": 0o644, "usr/lib/sysusers.d/tyndau.conf": 0o644,
             "usr/share/doc/tyndau/kannel.conf": 0o644, "usr/share/doc/tyndau/LICENSE": 0o644,
             "usr/share/doc/tyndau/CHANGELOG.md": 0o644, "etc/tyndau/tyndau.conf": 0o644,
             "etc/tyndau/texts/kk.conf": 0o644,
             "etc/tyndau/almaty-districts.geojson": 0o644, "etc/tyndau/tyndau.env": 0o600,
             "var/lib/tyndau": 0o700}
    for f, m in files.items():
        p = os.path.join(dest, f)
        assert os.path.exists(p), "not installed: " + f
        assert mode(p) == m, "%s: mode %o, not %o" % (f, mode(p), m)
    conf = os.path.join(dest, "etc/tyndau/tyndau.conf")
    assert 'path = "/var/lib/tyndau/tyndau.db"' in open(conf).read()
    tyndau = os.path.join(dest, "usr/bin/tyndau")
    r = run(tyndau, "-c", conf, "check")
    assert r.returncode == 0, r.stdout + r.stderr
    # hardened
    elf = run("readelf", "-hdlW", tyndau).stdout
    assert "DYN (Position-Independent Executable file)" in elf, "not PIE"
    assert "BIND_NOW" in elf and "GNU_RELRO" in elf, "no full RELRO"
    syms = run("nm", "-D", tyndau).stdout
    assert "__stack_chk_fail" in syms, "no stack protector"
    assert re.search(r"__\w+_chk@", syms), "no fortified calls"
    # the unit: verified without a word, sandboxed
    unit = os.path.join(work, "tyndau.service")
    text = open(os.path.join(dest, "usr/lib/systemd/system/tyndau.service")).read()
    assert "ExecStart=/usr/bin/tyndau -c /etc/tyndau/tyndau.conf run" in text
    assert "Type=notify" in text and "WatchdogSec=" in text
    open(unit, "w").write(text.replace("/usr/bin/tyndau", tyndau))
    env = dict(os.environ, MANPATH=os.path.join(dest, "usr/share/man"))
    r = run("systemd-analyze", "verify", unit, env=env)
    assert r.returncode == 0 and not (r.stdout + r.stderr).strip(), "systemd-analyze verify: " + r.stdout + r.stderr
    r = run("systemd-analyze", "security", "--offline=yes", unit, env=env)
    level = float(re.search(r"Overall exposure level for tyndau.service: ([\d.]+)", r.stdout + r.stderr).group(1))
    assert level <= 2.0, "exposure %.1f" % level
    # the man pages render
    for page in ("usr/share/man/man1/tyndau.1", "usr/share/man/man5/tyndau.conf.5"):
        r = run("man", "-l", os.path.join(dest, page), env=dict(os.environ, MANWIDTH="80"))
        assert r.returncode == 0 and "tyndau" in r.stdout, r.stderr
    # the operator's edits survive a second install
    open(conf, "a").write("# edited by the operator\n")
    open(os.path.join(dest, "etc/tyndau/tyndau.env"), "w").write("TELEGRAM_BOT_TOKEN=secret\n")
    make(dest, "install")
    assert open(conf).read().endswith("# edited by the operator\n")
    assert open(os.path.join(dest, "etc/tyndau/tyndau.env")).read() == "TELEGRAM_BOT_TOKEN=secret\n"
    assert os.path.exists(conf + ".example")
    out = make(dest, "uninstall")
    for f in ("usr/bin/tyndau", "usr/share/man/man1/tyndau.1", "usr/lib/systemd/system/tyndau.service",
              "usr/share/doc/tyndau"):
        assert not os.path.exists(os.path.join(dest, f)), "left after uninstall: " + f
    assert os.path.exists(conf) and "kept /etc/tyndau" in out
    print("PASS install: files and modes, check, hardened ELF, unit verified (exposure %.1f), "
          "edits kept, uninstall" % level)


def check_service_protocol(work):
    dest = os.path.join(work, "svc")
    make(dest, "install")
    tyndau = os.path.join(dest, "usr/bin/tyndau")
    conf = os.path.join(dest, "etc/tyndau/tyndau.conf")
    db = os.path.join(work, "svc.db")
    text = open(conf).read()
    for a, b in (('path = "/var/lib/tyndau/tyndau.db"', 'path = "%s"' % db),
                 ('listen = "127.0.0.1:8080"', 'listen = "127.0.0.1:0"'),
                 ('provider = "none"', 'provider = "kannel"'),
                 ("127.0.0.1:13013", "127.0.0.1:9")):
        assert a in text, a
        text = text.replace(a, b)
    open(conf, "w").write(text)
    sock_path = os.path.join(work, "notify.sock")
    manager = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    manager.bind(sock_path)
    manager.settimeout(10)
    log = os.path.join(work, "journal.log")
    with open(log, "w") as stream:
        st = os.fstat(stream.fileno())
        env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="1000000",
                   JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino), SMS_INBOUND_SECRET="s",
                   KANNEL_PASSWORD="p", TYNDAU_REDIS_SOCKET=os.path.join(work, "no-redis.sock"))
        env.pop("TELEGRAM_BOT_TOKEN", None)
        env.pop("WATCHDOG_PID", None)
        proc = subprocess.Popen([tyndau, "-c", conf, "run"], stdout=stream, stderr=stream, env=env,
                                stdin=subprocess.DEVNULL)
    try:
        got, start = [], time.time()
        while "READY=1" not in got:
            got.append(manager.recv(256).decode())
        ready_at = time.time() - start
        t0 = time.time()
        dogs = 0
        while time.time() - t0 < 3:
            if manager.recv(256).decode() == "WATCHDOG=1":
                dogs += 1
        assert 4 <= dogs <= 8, "%d WATCHDOG=1 in 3 s with WATCHDOG_USEC=1 s" % dogs
        proc.send_signal(signal.SIGHUP)
        seen = []
        while "READY=1" not in seen:
            msg = manager.recv(256).decode()
            if msg != "WATCHDOG=1":
                seen.append(msg)
        assert seen == ["RELOADING=1", "READY=1"], seen
        proc.send_signal(signal.SIGTERM)
        rest = []
        while "STOPPING=1" not in rest:
            rest.append(manager.recv(256).decode())
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        manager.close()
    lines = open(log).read().splitlines()
    assert lines, "no log"
    bad = [l for l in lines if not re.match(r"<[3467]>\d{4}-", l)]
    assert not bad, bad[:3]
    assert any(l.startswith("<3>") for l in lines) and any(l.startswith("<6>") for l in lines), lines
    print("PASS service protocol: READY=1 after %.2f s, %d WATCHDOG=1 in 3 s (every 0.5 s), "
          "RELOADING=1/READY=1 around SIGHUP, STOPPING=1; %d log lines, each with its priority"
          % (ready_at, dogs, len(lines)))


def main():
    with tempfile.TemporaryDirectory() as work:
        check_install(work)
        check_service_protocol(work)
    print("install: PASS")


if __name__ == "__main__":
    main()
