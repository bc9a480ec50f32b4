#!/usr/bin/env python3
"""The listener against hostile clients: bodies without the secret, bodies over the limit,
chunked floods and a slowloris from one address, while /healthz must keep answering.

Usage: hostile_http.py TYNDAU_BINARY
"""
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from telegram import ROOT, free_port  # noqa: E402

TYNDAU = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/tyndau")


def rss_kb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def raw(port, head, body_chunks=(), source="127.0.0.1", timeout=10):
    """Sends head and then body chunks; returns (status line, seconds, bytes of body sent)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
    start, sent = time.time(), 0
    s.sendall(head)
    try:
        for chunk in body_chunks:
            s.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass  # refused mid-body: the listener closed the connection, as it should
    try:
        status = s.recv(200).split(b"\r\n")[0].decode()
    except OSError:
        status = ""
    s.close()
    return status, time.time() - start, sent


def healthz(port):
    start = time.time()
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=10) as r:
            r.read()
    except urllib.error.HTTPError:
        pass  # 503 (no Redis here) is an answer too
    return time.time() - start


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
    with tempfile.TemporaryDirectory() as work:
        port = free_port()
        conf = open(os.path.join(ROOT, "config/tyndau.conf")).read()
        for a, b in {'path = "var/tyndau.db"': 'path = "%s/h.db"' % work,
                     'dir = "texts"': 'dir = "%s/config/texts"' % ROOT,
                     'district_map = "': 'district_map = "%s/config/' % ROOT,
                     'listen = "127.0.0.1:8080"': 'listen = "127.0.0.1:%d"' % port,
                     'provider = "none"': 'provider = "kannel"',
                     '127.0.0.1:13013': '127.0.0.1:9',
                     'port = 6379': 'port = %d' % free_port()}.items():
            assert a in conf, a
            conf = conf.replace(a, b)
        open(os.path.join(work, "h.conf"), "w").write(conf)
        env = dict(os.environ, SMS_INBOUND_SECRET="in-secret", KANNEL_PASSWORD="pw")
        env.pop("TELEGRAM_BOT_TOKEN", None)
        env.pop("TYNDAU_REDIS_SOCKET", None)
        log = open(os.path.join(work, "log"), "w")
        proc = subprocess.Popen([TYNDAU, "-c", os.path.join(work, "h.conf"), "run"], env=env,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            for _ in range(100):
                try:
                    healthz(port)
                    break
                except OSError:
                    time.sleep(0.1)
            rss0 = rss_kb(proc.pid)
            # 1. no secret, a 4 MB body declared: refused at the headers, the body never read
            head = (b"POST /sms/inbound?from=1&id=1 HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4194304\r\n\r\n")
            status, secs, _ = raw(port, head)
            assert " 401 " in status, status
            # with the secret but over the route's limit: 413 at the headers
            status, _, _ = raw(port, head.replace(b"id=1", b"id=1&secret=in-secret"))
            assert " 413 " in status, status
            # 2. 100 MB chunked with a wrong secret: refused before the flood is read
            chunk = b"%x\r\n%s\r\n" % (65536, b"a" * 65536)
            head = (b"POST /sms/inbound?secret=wrong HTTP/1.1\r\nHost: x\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n")
            status, secs, sent = raw(port, head, (chunk for _ in range(1600)))
            assert " 401 " in status, status
            assert sent < 20 * 1024 * 1024, "%d bytes of a refused body were read" % sent
            # chunked with the secret, over 64 KB: stopped where it passes the limit
            head = head.replace(b"secret=wrong", b"secret=in-secret")
            status, _, sent = raw(port, head, (chunk for _ in range(1600)))
            # 413, or a reset that ate it: the client was still sending when we closed
            assert status == "" or " 413 " in status, status
            assert sent < 20 * 1024 * 1024, "%d bytes of an oversize body were read" % sent
            # 200 connections each declaring 4 MB without a secret: memory stays put
            socks = []
            for _ in range(200):
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(b"POST /telegram/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 4194304\r\n\r\n")
                try:
                    s.sendall(b"a" * 65536)
                except OSError:
                    pass
                socks.append(s)
            time.sleep(0.5)
            grown = rss_kb(proc.pid) - rss0
            for s in socks:
                s.close()
            assert grown < 50 * 1024, "RSS grew by %d KB" % grown
            # 3. slowloris from one address: a thousand connections, a byte every few seconds
            slow = []
            for i in range(1000):
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=2,
                                                 source_address=("127.0.0.2", 0))
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                    slow.append(s)
                except OSError:
                    pass  # refused: over the limit for that address
            worst = 0.0
            for _ in range(6):
                for s in slow:
                    try:
                        s.send(b"X")
                    except OSError:
                        pass
                worst = max(worst, healthz(port))
                time.sleep(1)
            for s in slow:
                s.close()
            assert worst < 2.0, "/healthz took %.1f s under a slowloris" % worst
            assert proc.poll() is None, "tyndau died"
            print("PASS hostile http: no secret -> 401 at the headers, oversize -> 413 (declared and "
                  "chunked), 200 x 4 MB without a secret grew RSS %d KB, /healthz answered within "
                  "%.2f s beside 1000 slow connections" % (max(grown, 0), worst))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()


if __name__ == "__main__":
    main()
