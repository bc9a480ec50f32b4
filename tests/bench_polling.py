#!/usr/bin/env python3
"""Polling into committed cases, several builds side by side: each run feeds 5,000 complaints
about one outage (15,000 updates, every appeal joining one incident) through the fake Bot API's
long polling, and the builds take turns, so a busy moment of this shared machine falls on each
alike.  Prints each build's median updates a second and the daemon's CPU time an update.

Usage: tests/bench_polling.py RUNS TYNDAU [TYNDAU...]   (e.g. an older build beside build/tyndau)
"""
import contextlib
import io
import os
import re
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "integration"))
import telegram as tg  # noqa: E402  (the fake API and bench_polling)


def main():
    runs, builds = int(sys.argv[1]), sys.argv[2:]
    rates = {b: [] for b in builds}
    cpus = {b: [] for b in builds}
    for _ in range(runs):
        for b in builds:
            tg.TYNDAU = os.path.abspath(b)
            out = io.StringIO()
            with tempfile.TemporaryDirectory() as work, contextlib.redirect_stdout(out):
                tg.bench_polling(work, runs=1)
            rates[b].append(float(re.search(r"median (\d+)", out.getvalue()).group(1)))
            cpus[b].append(float(re.search(r"(\d+) us of CPU", out.getvalue()).group(1)))
    for b in builds:
        print("%-40s median %.0f updates/s (%s), %.0f us of CPU an update" % (
            b, statistics.median(rates[b]), ", ".join("%.0f" % r for r in rates[b]),
            statistics.median(cpus[b])))


if __name__ == "__main__":
    main()
