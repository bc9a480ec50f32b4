#!/usr/bin/env python3
"""An idle daemon's cost: wake-ups (context switches of all its threads) and CPU time per
minute, with SMS configured (Kannel absent: nothing is sent while idle) and Redis up.

Usage: tests/bench_idle.py SECONDS RUNS TYNDAU [TYNDAU...]
Several binaries are measured side by side, alternating, and the medians printed.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def threads_counts(pid):
    switches = 0
    for task in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/status" % (pid, task)) as f:
            for line in f:
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    switches += int(line.split()[1])
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return switches, ticks / os.sysconf("SC_CLK_TCK")


def measure(tyndau, seconds, work):
    conf = open(os.path.join(ROOT, "config/tyndau.conf")).read()
    db = os.path.join(work, "t%d.db" % time.monotonic_ns())
    conf = conf.replace('path = "var/tyndau.db"', 'path = "%s"' % db) \
        .replace('dir = "texts"', 'dir = "%s"' % os.path.join(ROOT, "config/texts")) \
        .replace('district_map = "', 'district_map = "%s/' % os.path.join(ROOT, "config")) \
        .replace('provider = "none"', 'provider = "kannel"') \
        .replace("127.0.0.1:13013", "127.0.0.1:9") \
        .replace('listen = "127.0.0.1:8080"', 'listen = "127.0.0.1:0"')
    path = os.path.join(work, "t.conf")
    open(path, "w").write(conf)
    env = dict(os.environ, TYNDAU_REDIS_SOCKET=os.path.join(work, "redis.sock"),
               SMS_INBOUND_SECRET="s", KANNEL_PASSWORD="p")
    env.pop("TELEGRAM_BOT_TOKEN", None)
    log = open(os.path.join(work, "log"), "w")
    p = subprocess.Popen([tyndau, "-c", path, "run"], env=env, stdin=subprocess.DEVNULL,
                         stdout=log, stderr=log)
    try:
        time.sleep(2)  # started, index rebuilt
        if p.poll() is not None:
            sys.exit("%s did not start:\n%s" % (tyndau, open(os.path.join(work, "log")).read()))
        s0, c0 = threads_counts(p.pid)
        time.sleep(seconds)
        s1, c1 = threads_counts(p.pid)
    finally:
        p.terminate()
        p.wait()
    return (s1 - s0) * 60 / seconds, (c1 - c0) * 60 / seconds


def main():
    seconds, runs, bins = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    work = tempfile.mkdtemp(prefix="tyndau-idle-")
    redis = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket",
                              os.path.join(work, "redis.sock"), "--save", "",
                              "--appendonly", "no", "--dir", work],
                             stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        got = {b: [] for b in bins}
        for _ in range(runs):
            for b in bins:
                got[b].append(measure(b, seconds, work))
        for b in bins:
            wake = statistics.median(w for w, _ in got[b])
            cpu = statistics.median(c for _, c in got[b])
            print("idle %-28s %8.0f wake-ups/min  %6.3f s CPU/min  (median of %d x %.0f s)"
                  % (b, wake, cpu, runs, seconds))
    finally:
        redis.terminate()
        redis.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
