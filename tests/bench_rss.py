#!/usr/bin/env python3
"""The daemon's memory with a full house: tyndau runs on a database of N complaints (3 pending
replies each, stored by tools/bench_intake), against the fake Bot API and a real Redis, for S
seconds: it polls, rebuilds the deadline index of every open case in Redis, and sends at
Telegram's pace.  Prints the peak RSS (VmHWM) and what it is made of: the process's own memory
(anonymous) and the pages of its binary and libraries (file), which are shared with every other
process that maps them.

Usage: tests/bench_rss.py TYNDAU BENCH_INTAKE [CASES [SECONDS]]
"""
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "integration"))
import telegram as tg  # noqa: E402  (the fake API and the daemon's config)


def status(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                fields[key] = int(value.split()[0]) / 1024.0
    return fields


def main():
    tg.TYNDAU = os.path.abspath(sys.argv[1])
    intake = os.path.abspath(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 30
    with tempfile.TemporaryDirectory() as work:
        db = os.path.join(work, "rss.db")
        subprocess.run([intake, os.path.join(tg.ROOT, "config/tyndau.conf"), "rss", str(n), db],
                       check=True, stdout=subprocess.DEVNULL)
        c = sqlite3.connect(db)
        cases = c.execute("SELECT count(*) FROM cases WHERE number IS NOT NULL").fetchone()[0]
        pending = c.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
        c.close()
        fake = tg.Fake(work)
        sock = os.path.join(work, "redis.sock")
        redis = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", sock, "--save", "",
                                  "--appendonly", "no", "--dir", work],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t = tg.Tyndau(work, fake, db=db)
        proc = None
        try:
            tg.wait(lambda: os.path.exists(sock), 10, "redis")
            env = dict(os.environ, TELEGRAM_BOT_TOKEN=tg.TOKEN, TYNDAU_REDIS_SOCKET=sock)
            log = open(os.path.join(work, "tyndau.log"), "w")
            proc = subprocess.Popen([tg.TYNDAU, "-c", t.conf, "run"], env=env,
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            end = time.time() + seconds
            anon = files = 0.0
            while time.time() < end and proc.poll() is None:
                s = status(proc.pid)
                anon, files = max(anon, s.get("RssAnon", 0)), max(files, s.get("RssFile", 0))
                time.sleep(0.5)
            if proc.poll() is not None:
                raise SystemExit("tyndau stopped: see %s" % os.path.join(work, "tyndau.log"))
            s = status(proc.pid)
            sent = sum(1 for m in fake.sent() if m["chat_id"] > 0)
            zcard = subprocess.run(["redis-cli", "-s", sock, "ZCARD", "tyndau:due"],
                                   capture_output=True, text=True).stdout.strip()
            print("daemon on %d cases and %d pending replies, %.0f s (sent %d, deadline index %s): "
                  "peak RSS %.1f MB; its own memory at most %.1f MB, library and binary pages at "
                  "most %.1f MB" % (cases, pending, seconds, sent, zcard or "?", s["VmHWM"], anon,
                                    files))
        finally:
            if proc:
                proc.terminate()
                proc.wait(timeout=30)
            redis.terminate()
            redis.wait()
            fake.stop()


if __name__ == "__main__":
    main()
