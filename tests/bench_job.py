#!/usr/bin/env python3
"""The whole job, side by side: tyndau and a python-telegram-bot peer doing the same
three-step filing (tests/peer/ptb_bot.py) against one fake Bot API that enforces
Telegram's limits, with a real Redis.

Each run: N citizens each send a complaint, "1" (the route is right) and "1" (a
complaint); measured from the moment the updates are queued until every reply to
every citizen is at the fake API (3 per citizen, sent at Telegram's pace):
  - intake: updates a second until every case is committed
  - CPU per complaint over the whole job (user + system, every thread)
  - peak RSS (VmHWM)
Runs alternate between the two; medians are printed with their ratio.

Usage: tests/bench_job.py TYNDAU [COMPLAINTS [RUNS]]
"""
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "integration"))
import telegram as tg  # noqa: E402  (the fake API and the update builders)

PEER = os.path.join(HERE, "peer", "ptb_bot.py")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def count(db, sql):
    try:
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
        try:
            return c.execute(sql).fetchone()[0]
        finally:
            c.close()
    except sqlite3.Error:
        return -1


def start_tyndau(work, fake, redis_sock, run):
    t = tg.Tyndau(work, fake, db=os.path.join(work, "t%d.db" % run))
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=tg.TOKEN, TYNDAU_REDIS_SOCKET=redis_sock)
    log = open(os.path.join(work, "tyndau%d.log" % run), "w")
    proc = subprocess.Popen([tg.TYNDAU, "-c", t.conf, "run"], env=env, stdin=subprocess.DEVNULL,
                            stdout=log, stderr=log)
    return proc, t.db, "SELECT count(*) FROM cases WHERE number IS NOT NULL"


def start_peer(work, fake, redis_sock, run):
    db = os.path.join(work, "p%d.db" % run)
    log = open(os.path.join(work, "peer%d.log" % run), "w")
    proc = subprocess.Popen(["/usr/bin/python3", PEER, fake.url, tg.TOKEN, db, redis_sock],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    return proc, db, "SELECT count(*) FROM cases"


def one_run(work, starter, run, n):
    fake = tg.Fake(work)
    rdir = tempfile.mkdtemp(dir=work)
    sock = os.path.join(rdir, "redis.sock")
    redis = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", sock, "--save", "",
                              "--appendonly", "no", "--dir", rdir],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc = None
    try:
        tg.wait(lambda: os.path.exists(sock), 10, "redis")
        proc, db, cases_sql = starter(work, fake, sock, run)
        tg.wait(lambda: fake.get("/control/stats")["requests"] > 2 and count(db, cases_sql) >= 0,
                30, "the bot polling")
        time.sleep(1)
        citizens = list(range(7000000 + run * 100000, 7000000 + run * 100000 + n))
        ups = []
        for c in citizens:
            ups += [tg.message(c, "Алмалы ауданында су жоқ, үй %d" % c), tg.message(c, "1"),
                    tg.message(c, "1")]
        cpu0, t0 = cpu_seconds(proc.pid), time.time()
        fake.updates(ups)
        tg.wait(lambda: count(db, cases_sql) >= n, 600, "every case")
        intake = time.time() - t0

        def replied():
            return sum(1 for m in fake.sent() if m["chat_id"] > 0) >= 3 * n
        tg.wait(replied, 600 + n, "every reply")
        took, cpu = time.time() - t0, cpu_seconds(proc.pid) - cpu0
        stats = fake.get("/control/stats")
        return {"intake": 3 * n / intake, "cpu_ms": cpu * 1000 / n, "rss": peak_rss_mb(proc.pid),
                "took": took, "429": stats["429"]}
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        redis.terminate()
        redis.wait()
        fake.stop()
        shutil.rmtree(rdir, ignore_errors=True)


def main():
    tg.TYNDAU = os.path.abspath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    results = {"tyndau": [], "peer": []}
    with tempfile.TemporaryDirectory() as work:
        for run in range(runs):
            results["tyndau"].append(one_run(work, start_tyndau, 2 * run, n))
            results["peer"].append(one_run(work, start_peer, 2 * run + 1, n))

    def med(who, key):
        return statistics.median(r[key] for r in results[who])
    print("whole job: %d complaints (3 updates, 3 replies each), %d runs each, medians" % (n, runs))
    print("  %-44s %12s %12s %10s" % ("", "tyndau", "ptb peer", "ratio"))
    rows = (("intake, updates/s until every case is committed", "intake", "%.0f", lambda a, b: a / b, "%.1fx"),
            ("CPU per complaint, whole job, ms", "cpu_ms", "%.3f", lambda a, b: b / a, "%.0fx less"),
            ("peak RSS, MB", "rss", "%.1f", lambda a, b: b / a, "%.1fx less"),
            ("until every reply is sent, s", "took", "%.1f", lambda a, b: a / b, "%.2fx"),
            ("429 answers", "429", "%d", None, ""))
    for label, key, fmt, ratio, rfmt in rows:
        a, b = med("tyndau", key), med("peer", key)
        r = rfmt % ratio(a, b) if ratio and a and b else ""
        print("  %-44s %12s %12s %10s" % (label, fmt % a, fmt % b, r))
    floor = http_floor_ms()
    if floor:
        print("  the floor: 3 bare libcurl sendMessage requests (kept alive, nothing built, read or\n"
              "  stored; tests/tools/bench_http) cost %.3f ms of CPU, %.0fx less than the peer's\n"
              "  complaint; tyndau spends %.1fx the floor" %
              (3 * floor, med("peer", "cpu_ms") / (3 * floor), med("tyndau", "cpu_ms") / (3 * floor)))


def http_floor_ms():
    """The CPU of one bare libcurl request to the same fake API, or None without the tool."""
    tool = os.path.join(os.path.dirname(tg.TYNDAU), "tools", "bench_http")
    if not os.path.exists(tool):
        return None
    with tempfile.TemporaryDirectory() as work:
        fake = tg.Fake(work)
        try:
            # the fake's limits answer most of them 429: the same bytes each way, as cheap to send
            out = subprocess.run([tool, fake.url + "/bot" + tg.TOKEN + "/sendMessage", "3000", "7"],
                                 capture_output=True, text=True, check=True).stdout
            return float(out)
        finally:
            fake.stop()


if __name__ == "__main__":
    main()
