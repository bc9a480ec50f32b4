#!/usr/bin/env python3
"""tyndau's Telegram channel against the fake Bot API (tests/fakes/telegram_api.py).

Usage: telegram.py TYNDAU_BINARY [--bench]
Each scenario prints PASS or raises.  With --bench it prints figures instead:
updates per second through polling into committed cases, and the send rate.
"""
import json
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
import resource
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TYNDAU = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/tyndau")
TOKEN = "123456:TEST-token"
ENERGY_CHAT = -1001000000101
SUPERVISOR = 700000005


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Fake:
    def __init__(self, work, port=None, missing=()):
        self.port = port or free_port()
        self.log = open(os.path.join(work, "fake.log"), "w")
        extra = ["--missing=" + ",".join(missing)] if missing else []
        self.proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/fakes/telegram_api.py"),
                                      str(self.port), TOKEN] + extra, stdout=self.log, stderr=self.log)
        self.url = "http://127.0.0.1:%d" % self.port
        wait(lambda: self.ok("/control/stats"), 10, "the fake API to start")

    def ok(self, path):
        try:
            self.get(path)
            return True
        except OSError:
            return False

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=10) as r:
            return json.loads(r.read())

    def post(self, path, obj):
        req = urllib.request.Request(self.url + path, data=json.dumps(obj).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def updates(self, ups):
        self.post("/control/updates", ups)

    def sent(self):
        return self.get("/control/sent")

    def to(self, chat):
        return [m for m in self.sent() if m["chat_id"] == chat]

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def db_value(path, sql):
    """The first column of the first row of a query on tyndau's database."""
    con = sqlite3.connect(path, timeout=10)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def wait(pred, timeout, what):
    end = time.time() + timeout
    while time.time() < end:
        try:
            v = pred()
            if v:
                return v
        except (OSError, sqlite3.OperationalError):
            pass  # not up yet: a server still starting, a database still being created
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


class Tyndau:
    def __init__(self, work, fake, mode="polling", secret="", db=None):
        self.work = work
        self.db = db or os.path.join(work, "t.db")
        conf = open(os.path.join(ROOT, "config/tyndau.conf")).read()
        conf = conf.replace('path = "var/tyndau.db"', 'path = "%s"' % self.db)
        conf = conf.replace('dir = "texts"', 'dir = "%s/config/texts"' % ROOT)
        conf = conf.replace('district_map = "', 'district_map = "%s/config/' % ROOT)
        conf = conf.replace('listen = "127.0.0.1:8080"', 'listen = "127.0.0.1:%d"' % free_port())
        conf = conf.replace('api_url = "https://api.telegram.org"', 'api_url = "%s"' % fake.url)
        conf = conf.replace('mode = "polling"', 'mode = "%s"' % mode)
        conf = conf.replace('webhook_secret = ""', 'webhook_secret = "%s"' % secret)
        conf = conf.replace('webhook_url = ""', 'webhook_url = "https://tyndau.example.kz/telegram/webhook"')
        self.listen = conf.split('listen = "')[1].split('"')[0]
        self.conf = os.path.join(work, "t-%s.conf" % mode)
        open(self.conf, "w").write(conf)
        self.proc = None

    def start(self, *args):
        env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN)
        env.pop("TYNDAU_REDIS_SOCKET", None)
        # the log through a pipe: a full disk (a file size limit on tyndau) must not silence it
        self.proc = subprocess.Popen([TYNDAU, "-c", self.conf] + list(args) + ["run"], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        threading.Thread(target=self.copy_log, args=(self.proc.stdout,), daemon=True).start()
        return self

    def copy_log(self, pipe):
        with open(os.path.join(self.work, "tyndau.log"), "ab") as log:
            for line in pipe:
                log.write(line)
                log.flush()

    def health(self):
        """/healthz: the status code and the JSON."""
        try:
            with urllib.request.urlopen("http://%s/healthz" % self.listen, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)

    def count(self, sql):
        return db_value(self.db, sql)


UID = [1000]


def next_uid():
    UID[0] += 1
    return UID[0]


def message(chat, text=None, user=None, **extra):
    m = {"message_id": next_uid(), "date": int(time.time()),
         "chat": {"id": chat, "type": "private" if chat > 0 else "supergroup"},
         "from": {"id": user or chat, "is_bot": False, "first_name": "T", "language_code": "kk"}}
    if text is not None:
        m["text"] = text
    m.update(extra)
    return {"update_id": next_uid(), "message": m}


def callback(chat, data):
    return {"update_id": next_uid(), "callback_query": {
        "id": "cb%d" % next_uid(), "chat_instance": "x", "data": data,
        "from": {"id": chat, "is_bot": False, "first_name": "T"},
        "message": {"message_id": 1, "date": int(time.time()), "chat": {"id": chat, "type": "private"}}}}


def last_text(fake, chat):
    msgs = fake.to(chat)
    return msgs[-1]["text"] if msgs else ""


def wait_text(fake, chat, needle, timeout=15):
    return wait(lambda: needle in last_text(fake, chat), timeout,
                "%r in the last message to %s (it is %r)" % (needle, chat, last_text(fake, chat)))


def wait_reply(fake, chat, needle, since, timeout=15):
    """The first message to chat after the first `since` ones that holds needle."""
    def found():
        return [m["text"] for m in fake.to(chat)[since:] if needle in m["text"]]
    return wait(found, timeout, "%r in a message to %s" % (needle, chat))[0]


def citizen_flow(fake, t, chat):
    """/start with a poster code, a photo with a caption, a location, buttons, status."""
    fake.updates([message(chat, "/start alm")])
    wait_text(fake, chat, "Алмалы ауданы")
    fake.updates([message(chat, caption="Үш күннен бері су жоқ, көмектесіңіздер",
                          photo=[{"file_id": "small-%d" % chat, "file_unique_id": "a", "width": 90, "height": 90},
                                 {"file_id": "PHOTO-%d" % chat, "file_unique_id": "b", "width": 800, "height": 600}])])
    wait_text(fake, chat, "Дұрыс па?")
    keyboard = fake.to(chat)[-1]["reply_markup"]["inline_keyboard"]
    assert keyboard[0][0]["callback_data"] == "ok", keyboard
    fake.updates([message(chat, location={"latitude": 43.2567, "longitude": 76.9286})])
    wait_text(fake, chat, "Дұрыс па?")  # the question again, after "place added"
    fake.updates([callback(chat, "ok")])
    wait_text(fake, chat, "Өтініш түрін таңдаңыз")
    fake.updates([callback(chat, "t:complaint")])
    wait_text(fake, chat, "тіркелді")
    ack = last_text(fake, chat)
    number = ack.split("№")[1].split(" ")[0]
    assert number.isdigit(), ack
    assert "Жауап мерзімі:" in ack, ack
    fake.updates([message(chat, "/status " + number)])
    wait_text(fake, chat, "№%s: тіркелді" % number)
    # the department got the card and the photo, by file id
    wait(lambda: any(m["kind"] == "photo" and m["file"] == "PHOTO-%d" % chat for m in fake.to(ENERGY_CHAT)),
         10, "the photo in the department's chat")
    card = [m for m in fake.to(ENERGY_CHAT) if m["kind"] == "text" and number in m["text"]]
    assert card and "Үш күннен бері су жоқ" in card[0]["text"], card
    assert "Орны: 43.25670, 76.92860" in card[0]["text"], card[0]["text"]
    row = t.count("SELECT lat || ',' || lon FROM cases WHERE number = '%s'" % number)
    assert row.startswith("43.2567,76.9286"), row
    wait(lambda: fake.get("/control/stats")["callbacks_answered"] >= 2, 10, "callbacks answered")
    return number


def scenario_polling(work):
    fake = Fake(work)
    t = Tyndau(work, fake).start()
    try:
        wait(lambda: fake.get("/control/stats")["commands"].get("ru"), 10, "setMyCommands")
        cmds = fake.get("/control/stats")["commands"]
        assert set(cmds) == {"", "kk", "ru", "en"}, cmds
        assert cmds["ru"][0]["description"] == "Начать", cmds["ru"]
        number = citizen_flow(fake, t, 424242)
        # the officer takes it in the department's group chat; the card there is edited in place
        fake.updates([message(ENERGY_CHAT, "/take@tyndau_test_bot " + number, user=700000001)])
        wait_text(fake, 424242, "өтінішіңіз қарауға алынды")
        card = wait(lambda: [m for m in fake.to(ENERGY_CHAT) if m.get("edits")], 15, "the card edited")
        assert "Күйі: қаралуда" in card[0]["text"] and number in card[0]["text"], card[0]["text"]
        wait(lambda: any("қолға алдыңыз" in m["text"] for m in fake.to(ENERGY_CHAT)), 15, "the officer told")
        # someone in the group who is not staff is not listened to
        before = len(fake.sent())
        fake.updates([message(ENERGY_CHAT, "/take " + number, user=99999)])
        time.sleep(1.5)
        assert len(fake.sent()) == before
        # malformed updates are logged and skipped; the one after them is processed
        bad = [{"update_id": next_uid(), "message": {"message_id": 1, "text": "no chat"}},
               {"update_id": next_uid(), "message": {"message_id": 2, "chat": {"id": 5, "type": "private"},
                                                     "from": {"id": 5}, "text": 12345}},
               {"update_id": next_uid(), "poll": {"id": "p"}},
               message(515151, "су " * 350000),   # about 1 MB
               {"update_id": "not a number"}]
        fake.updates(bad + [message(616161, "/help")])
        wait_text(fake, 616161, "/cases")
        wait_text(fake, 515151, "тым ұзын")
        assert t.count("SELECT count(*) FROM rejected WHERE reason = 'text too long'") == 1
        log = open(os.path.join(work, "tyndau.log")).read()
        assert "skipped: message without chat.id" in log and "message text is not a string" in log, log[-2000:]
        # edited messages are not applied; a blocked user is not written to again
        fake.updates([{"update_id": next_uid(), "edited_message": message(424242, "түзету")["message"]}])
        wait_text(fake, 424242, "Жіберілген хабарламадағы өзгерістер")
        fake.updates([{"update_id": next_uid(), "my_chat_member": {
            "chat": {"id": 424242, "type": "private"}, "from": {"id": 424242},
            "date": 1, "old_chat_member": {"status": "member"}, "new_chat_member": {"status": "kicked"}}}])
        wait(lambda: t.count("SELECT unreachable FROM citizens WHERE address = '424242'") == 1, 10, "unreachable")
        # a group migrated to a supergroup: its messages follow it
        fake.updates([message(-100555, user=700000001, migrate_to_chat_id=-100777)])
        wait(lambda: t.count("SELECT count(*) FROM chat_migrations") == 1, 10, "migration")
        print("PASS polling: /start, photo, location, buttons, status; malformed skipped; edits, blocks, migration")
    finally:
        t.kill(signal.SIGTERM)
        fake.stop()


def scenario_bad_token(work):
    fake = Fake(work)
    t = Tyndau(work, fake, db=os.path.join(work, "x.db"))
    try:
        env = dict(os.environ, TELEGRAM_BOT_TOKEN="999:wrong")
        r = subprocess.run([TYNDAU, "-c", t.conf, "run"], env=env, capture_output=True, text=True,
                           timeout=30, stdin=subprocess.DEVNULL)
        assert r.returncode == 1, r
        assert "Telegram refused the bot token (401 Unauthorized)" in r.stderr, r.stderr
        print("PASS bad token: a clear error and exit 1")
    finally:
        fake.stop()


def scenario_webhook(work):
    fake = Fake(work)
    t = Tyndau(work, fake, mode="webhook", secret="s3cr3t-Token_1", db=os.path.join(work, "w.db")).start()
    try:
        wait(lambda: fake.get("/control/webhook")["url"], 10, "setWebhook")
        hook = fake.get("/control/webhook")
        assert hook["secret_token"] == "s3cr3t-Token_1", hook
        url = "http://%s/telegram/webhook" % t.listen
        wait(lambda: post_webhook(url, {"update_id": 1}, "wrong") in (401, 200), 10, "the listener")

        def deliver(update, secret="s3cr3t-Token_1"):
            return post_webhook(url, update, secret)
        before = t.count("SELECT count(*) FROM inbound_seen")
        assert deliver(message(777, "/help"), "wrong") == 401
        assert deliver(message(777, "/help"), None) == 401
        assert t.count("SELECT count(*) FROM inbound_seen") == before
        assert deliver(b'{"update_id": 5, "message": {"message_id": 1, "date": 1, "chat": {"id": 778, "type": "private"}, "from": {"id": 778}, "text": "\xff\xfe bad"}}') == 200
        wait_text(fake, 778, "оқу мүмкін болмады")
        assert deliver(b"{not json") == 200
        chat = 888
        assert deliver(message(chat, "Алмалы ауданында үш күннен бері су жоқ")) == 200
        wait_text(fake, chat, "Дұрыс па?")
        assert deliver(callback(chat, "ok")) == 200
        wait_text(fake, chat, "Өтініш түрін")
        upd = callback(chat, "t:complaint")
        assert deliver(upd) == 200
        assert deliver(upd) == 200  # redelivered: one effect
        wait_text(fake, chat, "тіркелді")
        assert t.count("SELECT count(*) FROM cases WHERE number IS NOT NULL") == 1
        print("PASS webhook: secret checked (401, nothing stored), bad bodies skipped, flow, redelivery once")
    finally:
        t.kill(signal.SIGTERM)
        fake.stop()


def scenario_slow_callbacks(work):
    """A slow answerCallbackQuery holds nothing: the listener only parses, commits and answers."""
    fake = Fake(work)
    t = Tyndau(work, fake, mode="webhook", secret="s3cr3t", db=os.path.join(work, "cb.db")).start()
    try:
        url = "http://%s/telegram/webhook" % t.listen
        wait(lambda: post_webhook(url, {"update_id": 1}, "wrong") == 401, 10, "the listener")
        chat = 889
        assert post_webhook(url, message(chat, "Алмалы ауданында үш күннен бері су жоқ"), "s3cr3t") == 200
        wait_text(fake, chat, "Дұрыс па?")
        fake.post("/control/faults", {"kind": "slow", "delay": 6, "count": 3,
                                      "method": "answerCallbackQuery"})
        took = []
        for data in ("ok", "t:complaint", "stale:payload"):
            start = time.monotonic()
            assert post_webhook(url, callback(chat, data), "s3cr3t") == 200
            took.append(time.monotonic() - start)
        start = time.monotonic()
        code, _ = t.health()
        took_health = time.monotonic() - start
        assert code == 200 and took_health < 1.0, (code, took_health)
        assert max(took) < 3.0, took  # it was 6 s: the answer was sent while the request waited
        wait(lambda: fake.get("/control/stats")["callbacks_answered"] >= 3, 60, "every button answered")
        # recorded at the sender's next look, within SENDER_RECORD_WITHIN_MS
        wait(lambda: t.count("SELECT count(*) FROM outbox WHERE kind = 'callback' AND state = 'sent'") == 3,
             10, "the answers recorded")
        print("PASS slow_callbacks: webhook answers in %.2f s at most and /healthz in %.2f s while "
              "answerCallbackQuery takes 6 s; all 3 buttons answered by the sender" % (max(took), took_health))
    finally:
        t.kill(signal.SIGTERM)
        fake.stop()


def scenario_full_disk(work):
    """The disk fills while replies wait: nothing is sent, said once; when it frees, each goes once."""
    fake = Fake(work)
    t = Tyndau(work, fake, db=os.path.join(work, "disk.db")).start()
    try:
        wait(lambda: fake.get("/control/stats")["requests"] > 0, 10, "tyndau up")
        fake.post("/control/faults", {"kind": "500", "count": 100000, "method": "sendMessage"})
        chats = list(range(5000000, 5000010))
        fake.updates([message(c, "/help") for c in chats])
        wait(lambda: t.count("SELECT count(*) FROM outbox WHERE attempts > 0 AND state = 'pending'") == 10,
             30, "the replies waiting for a retry")
        resource.prlimit(t.proc.pid, resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))
        fake.post("/control/reset", {})  # the Bot API answers again
        time.sleep(8)  # past the retries' backoff: each would have gone, and again, and again
        sent_while_full = len(fake.sent())
        code, health = t.health()
        assert code == 503 and health["sending"].startswith("paused"), (code, health)
        assert sent_while_full == 0, "%d sent while nothing could be recorded" % sent_while_full
        resource.prlimit(t.proc.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        wait(lambda: len(fake.sent()) >= 10, 60, "the replies after the disk freed")
        time.sleep(2)
        assert sorted(m["chat_id"] for m in fake.sent()) == chats, "each exactly once"
        assert t.health()[0] == 200
        log = open(os.path.join(work, "tyndau.log")).read()
        assert log.count("sending paused") == 1 and log.count("cannot be written") == 1, log[-3000:]
        print("PASS full_disk: 0 sent in 8 s of full disk (503 on /healthz, said once); "
              "10 replies each once after")
    finally:
        t.kill(signal.SIGTERM)
        fake.stop()


def post_webhook(url, update, secret):
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def windows_ok(times, span, limit):
    times = sorted(times)
    j = 0
    for i in range(len(times)):
        while times[i] - times[j] >= span:
            j += 1
        if i - j + 1 > limit:
            return False
    return True


def scenario_rates(work, bench=False, latency_ms=80):
    """1000 chats and 10 messages to one, each request answered latency_ms late (the API from far
    away): requests run side by side, never two to one chat, every Telegram limit held."""
    fake = Fake(work)
    fake.post("/control/latency", {"ms": latency_ms})
    t = Tyndau(work, fake, db=os.path.join(work, "r%d.db" % latency_ms)).start()
    try:
        n = 1000
        chats = list(range(2000000, 2000000 + n))
        start = time.time()
        fake.updates([message(c, "/help") for c in chats])
        wait(lambda: len(fake.sent()) >= n, 120, "%d replies" % n)
        took = time.time() - start
        sent = fake.sent()
        times = [m["at"] for m in sent]
        assert sorted(m["chat_id"] for m in sent) == chats, "each chat once"
        assert windows_ok(times, 1.0, 30), "more than 30 in a second"
        stats = fake.get("/control/stats")
        assert stats["429"] == 0, stats["limited"]
        rate = n / (max(times) - min(times))
        # ten to one chat: in order, a second apart
        fake.updates([message(31337, "/status 1000%d" % i) for i in range(10)])
        wait(lambda: len(fake.to(31337)) >= 10, 60, "ten replies to one chat")
        ten = fake.to(31337)
        assert ["1000%d" % i in m["text"] for i, m in enumerate(ten)] == [True] * 10, [m["text"] for m in ten]
        gaps = [b["at"] - a["at"] for a, b in zip(ten, ten[1:])]
        assert min(gaps) >= 0.95, gaps
        stats = fake.get("/control/stats")
        assert stats["chat_overlaps"] == 0, "two requests to one chat at once: %d" % stats["chat_overlaps"]
        assert stats["429"] == 0, stats["limited"]
        if latency_ms >= 50:  # one at a time would be 1000 / latency a second at most
            assert stats["max_in_flight"] > 1, stats
        if bench:
            print("telegram send, %d ms a request: %d messages to %d chats in %.1f s, %.1f messages/s "
                  "(limit 30), up to %d requests at once, 429 answers: %d, two to one chat at once: %d; "
                  "one chat: 10 in order, gaps %.2f..%.2f s" %
                  (latency_ms, n, n, took, rate, stats["max_in_flight"], stats["429"],
                   stats["chat_overlaps"], min(gaps), max(gaps)))
        else:
            print("PASS rates at %d ms a request: 1000 chats at %.1f/s, up to %d requests at once, never "
                  "two to one chat, none over 30 in any second, no 429; one chat in order, >= 1 s apart"
                  % (latency_ms, rate, stats["max_in_flight"]))
    finally:
        t.kill(signal.SIGTERM)
        fake.stop()


def scenario_faults(work):
    fake = Fake(work)
    t = Tyndau(work, fake, db=os.path.join(work, "f.db")).start()
    try:
        wait(lambda: fake.get("/control/stats")["requests"] > 0, 10, "tyndau up")
        for f in ({"kind": "429", "count": 15, "retry_after": 1}, {"kind": "500", "count": 8},
                  {"kind": "drop", "count": 4}, {"kind": "malformed", "count": 4},
                  {"kind": "slow", "count": 2, "delay": 2}):
            fake.post("/control/faults", f)
        chats = list(range(3000000, 3000040))
        fake.updates([message(c, "/help") for c in chats])
        wait(lambda: len(fake.sent()) >= 40, 180, "every message despite the faults")
        time.sleep(2)
        sent = fake.sent()
        assert sorted(m["chat_id"] for m in sent) == chats, "each exactly once"
        stats = fake.get("/control/stats")
        assert stats["faults"] == 33, stats
        print("PASS faults: 429 storm, 5xx, dropped connections, malformed answers, slow answers: all 40 delivered once")
    finally:
        t.kill(signal.SIGTERM)
        fake.stop()


def scenario_sigkill(work):
    fake = Fake(work)
    db = os.path.join(work, "k.db")
    t = Tyndau(work, fake, db=db)
    citizens = list(range(4000000, 4001000))
    ups = []
    for c in citizens:
        ups += [message(c, "Алмалы ауданында су жоқ, үй %d" % c), message(c, "1"), message(c, "1")]
    fake.updates(ups)
    kills = midway = 0
    for _ in range(200):
        t.start()
        time.sleep(random.uniform(0.005, 0.08))
        t.kill()
        kills += 1
        try:
            done = t.count("SELECT count(*) FROM inbound_seen") if os.path.exists(db) else 0
        except sqlite3.OperationalError:
            done = 0  # killed before its first migration committed: the file has no tables yet
        if done == len(ups):
            break
        midway += done > 0
    t.start()
    try:
        wait(lambda: t.count("SELECT count(*) FROM inbound_seen") == len(ups), 120, "every update")
        assert t.count("SELECT count(*) FROM cases WHERE number IS NOT NULL") == len(citizens)
        assert t.count("SELECT count(*) FROM (SELECT citizen_id FROM cases GROUP BY citizen_id HAVING count(*) > 1)") == 0
        # three replies per citizen, queued once however often it was killed; the department gets
        # a card of each of the three cases filed before the outage was known and one card of the
        # incident all are in (its rewrites superseding each other), never one twice
        assert t.count("SELECT count(*) FROM outbox WHERE channel = 'telegram' AND address NOT LIKE '-%'") == 3 * len(citizens)
        assert t.count("SELECT count(*) FROM cases WHERE incident_id = 1") == len(citizens)
        assert t.count("SELECT count(*) FROM outbox WHERE kind = 'card' AND address = '%d'" % ENERGY_CHAT) == 3
        assert t.count("SELECT count(*) FROM outbox WHERE kind = 'icard' AND address = '%d'" % ENERGY_CHAT) == 1
        assert midway >= 2, "only %d kills landed mid-way" % midway
    finally:
        t.kill(signal.SIGTERM)
    try:
        # what the Bot API received: every message recorded as sent is there (never lost);
        # one sent twice only where a kill came between its request and its record
        got = Counter((m["chat_id"], m["text"]) for m in fake.sent())
        dups = sum(n - 1 for n in got.values())
        con = sqlite3.connect(db)
        rows = con.execute("SELECT address, text FROM outbox WHERE channel = 'telegram' AND state = 'sent' "
                           "AND kind != 'callback' AND media = ''").fetchall()
        interrupted = con.execute("SELECT count(*) FROM deliveries WHERE result = 'interrupted'").fetchone()[0]
        failed = con.execute("SELECT count(*) FROM outbox WHERE state = 'failed'").fetchone()[0]
        con.close()
        lost = [r for r in rows if (int(r[0]), r[1]) not in got]
        assert not lost, "recorded as sent, never received: %r" % lost[:3]
        # a kill cuts off at most what one look claimed (SENDER_FLIGHTS), and costs none of them an
        # attempt: however often it came, no message failed for it
        assert dups <= interrupted <= kills * 64, (dups, interrupted, kills)
        assert failed == 0, failed
        print("PASS sigkill: %d updates, %d SIGKILLs of the daemon (%d mid-way): no update lost or twice; "
              "%d messages received, none lost, %d twice (%d interrupted requests)" %
              (len(ups), kills, midway, len(fake.sent()), dups, interrupted))
    finally:
        t.kill(signal.SIGTERM)
        fake.stop()


def scenario_startup(work):
    """The API unreachable at start: retried, not an exit; a Bot API without setMyCommands
    (a third-party server) is a warning, not a stop."""
    port = free_port()

    class NotYet:
        url = "http://127.0.0.1:%d" % port
    t = Tyndau(work, NotYet, db=os.path.join(work, "startup.db")).start()
    fake = None
    try:
        time.sleep(3)
        assert t.proc.poll() is None, "tyndau exited while the API was unreachable"
        fake = Fake(work, port=port, missing=("setMyCommands",))
        fake.updates([message(434343, "/help")])
        wait_text(fake, 434343, "/cases", timeout=30)
        assert t.proc.poll() is None
        log = open(os.path.join(work, "tyndau.log")).read()
        assert "trying again" in log and "setMyCommands failed" in log, log[-2000:]
        print("PASS startup: unreachable Bot API retried with backoff; no setMyCommands is a warning")
    finally:
        t.kill(signal.SIGTERM)
        if fake:
            fake.stop()


def staff_callback(chat, user, data):
    u = callback(chat, data)
    u["callback_query"]["from"]["id"] = user
    return u


def scenario_staff(work):
    """Five people: two citizens, officers of two departments, a supervisor."""
    AIGERIM, DMITRY, ERLAN = 700000001, 700000002, 700000005
    MOBILITY_CHAT, COUNCIL_CHAT = -1001000000102, -1001000000301
    fake = Fake(work)
    db = os.path.join(work, "staff.db")
    t = Tyndau(work, fake, db=db).start()
    try:
        a, b = 610001, 610002
        fake.updates([message(a, "Алмалы ауданында үш күннен бері су жоқ")])
        wait_text(fake, a, "Дұрыс па?")
        fake.updates([callback(a, "ok")])
        wait_text(fake, a, "Өтініш түрін")
        fake.updates([callback(a, "t:complaint")])
        wait_text(fake, a, "тіркелді")
        number = last_text(fake, a).split("№")[1].split(" ")[0]
        fake.updates([message(b, "В Бостандыкском районе огромная яма на дороге")])
        wait_text(fake, b, "Всё верно?")
        fake.updates([callback(b, "ok")])
        wait_text(fake, b, "Выберите вид")
        fake.updates([callback(b, "t:complaint")])
        wait_text(fake, b, "зарегистрировано")
        # the complaint reached the right department's chat as a card with buttons
        card = wait(lambda: [m for m in fake.to(ENERGY_CHAT) if m["kind"] == "text" and number in m["text"]],
                    10, "the card")[0]
        labels = [row[0]["text"] for row in card["reply_markup"]["inline_keyboard"]]
        assert labels == ["Қолға алу", "Жауап беру", "Басқа органға беру", "Мерзімді ұзарту", "Шешілді, жабу"], labels
        assert any(number not in m["text"] for m in fake.to(MOBILITY_CHAT))
        # the other department's officer can neither take nor answer it
        fake.updates([message(MOBILITY_CHAT, "/take " + number, user=DMITRY)])
        wait_text(fake, MOBILITY_CHAT, "не к вашему органу")
        fake.updates([message(MOBILITY_CHAT, "/answer %s Это не наш вопрос, но мы разберёмся" % number, user=DMITRY)])
        wait(lambda: len([m for m in fake.to(MOBILITY_CHAT) if "не к вашему органу" in m["text"]]) == 2, 10, "refusal")
        # the right officer takes it with the card's button, then replies to the card
        fake.updates([staff_callback(ENERGY_CHAT, AIGERIM, "s:take:" + number)])
        wait_text(fake, a, "өтінішіңіз қарауға алынды")
        answer = "Су құбыры жөнделді, бүгін 14:00-ден бастап су беріледі. Кешірім сұраймыз."
        reply = message(ENERGY_CHAT, answer, user=AIGERIM,
                        reply_to_message={"message_id": card["message_id"], "date": 1,
                                          "chat": {"id": ENERGY_CHAT, "type": "supergroup"}})
        fake.updates([reply])
        wait(lambda: any(answer in m["text"] for m in fake.to(a)), 15, "the answer at the citizen")
        wait_text(fake, a, "бағалаңыз")
        buttons = fake.to(a)[-1]["reply_markup"]["inline_keyboard"]
        assert [r[0]["callback_data"] for r in buttons][-1] == "r:%s:1" % number
        # a low rating reopens it to the supervisor and the council
        fake.updates([callback(a, "r:%s:1" % number)])
        wait_text(fake, a, "қайта ашылды")
        wait_text(fake, ERLAN, "открыто повторно")
        wait(lambda: any(number in m["text"] for m in fake.to(COUNCIL_CHAT)), 10, "the council told")
        # the card always shows the current state
        wait(lambda: "Күйі: қайта ашылды" in [m for m in fake.to(ENERGY_CHAT) if m["message_id"] == card["message_id"]][0]["text"],
             15, "the card edited to reopened")
        # the officer's photo reaches the citizen; the citizen's reply to the ack reaches the chat
        photo = message(ENERGY_CHAT, user=AIGERIM, caption="Жөндеу жұмысы",
                        photo=[{"file_id": "OFFICER-PHOTO", "file_unique_id": "z", "width": 9, "height": 9}],
                        reply_to_message={"message_id": card["message_id"], "date": 1,
                                          "chat": {"id": ENERGY_CHAT, "type": "supergroup"}})
        fake.updates([photo])
        wait(lambda: any(m["kind"] == "photo" and m["file"] == "OFFICER-PHOTO" for m in fake.to(a)), 15,
             "the officer's photo at the citizen")
        ack = [m for m in fake.to(a) if "тіркелді" in m["text"]][0]
        fake.updates([message(a, "Су әлі де жоқ, тексеріңіздерші",
                              reply_to_message={"message_id": ack["message_id"], "date": 1,
                                                "chat": {"id": a, "type": "private"}})])
        wait(lambda: any("Су әлі де жоқ" in m["text"] for m in fake.to(ENERGY_CHAT)), 15, "the follow-up")
        # every staff action is in /case N with who and when
        fake.updates([message(ERLAN, "/case " + number)])
        wait_text(fake, ERLAN, "Айгерім Сейітова: дан ответ")
        hist = last_text(fake, ERLAN)  # in the supervisor's language, people by name
        assert "гражданин (telegram)" in hist and "открыто повторно" in hist, hist
        assert re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d Айгерім Сейітова: взято в работу", hist), hist
    finally:
        t.kill(signal.SIGTERM)
    # thirty days later: B's case is overdue; the figures say so
    later = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() + 5 * 3600 + 30 * 86400))
    t.start("--now", later)
    try:
        # the daily digest may come first: wait for the replies themselves
        fake.updates([message(ERLAN, "/overdue")])
        over = wait_reply(fake, ERLAN, "Просроченные обращения", 0)
        assert "Управление мобильности" in over, over
        fake.updates([message(ERLAN, "/stats all")])
        st = wait_reply(fake, ERLAN, "Статистика за всё время", 0)
        # answered in time once, but the reopened case is overdue now: late
        assert "Управление энергетики и водоснабжения: 1, открыто 1, в срок 0%" in st, st
        assert "оценка 1.0" in st and "Управление мобильности: 1, открыто 1" in st, st
        fake.updates([message(AIGERIM, "/overdue")])
        wait_text(fake, AIGERIM, "жетекшілерге")
        print("PASS staff: cards with buttons to the right chat, other department refused, take by "
              "button, answer by reply, low rating reopens to supervisor and council, card edited, "
              "/case history, /overdue and /stats a month later")
    finally:
        t.kill(signal.SIGTERM)
        fake.stop()


def cpu_seconds(pid):
    """The CPU time a process (all its threads) has used, from /proc."""
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_polling(work, runs=3, citizens_n=5000):
    """Updates per second from the fake API through long polling into committed cases, and the
    daemon's CPU time per update meanwhile (every thread: the sender is busy too)."""
    rates, cpus = [], []
    for run in range(runs):
        fake = Fake(work)
        db = os.path.join(work, "b%d.db" % run)
        t = Tyndau(work, fake, db=db)
        citizens = list(range(5000000, 5000000 + citizens_n))
        ups = []
        for c in citizens:
            ups += [message(c, "Алмалы ауданында су жоқ, үй %d" % c), message(c, "1"), message(c, "1")]
        t.start()
        try:
            wait(lambda: os.path.exists(db) and t.count("SELECT count(*) FROM offsets") >= 0 and
                 fake.get("/control/stats")["requests"] > 5, 30, "tyndau polling")
            start, cpu = time.time(), cpu_seconds(t.proc.pid)
            fake.updates(ups)
            wait(lambda: t.count("SELECT count(*) FROM cases WHERE number IS NOT NULL") == len(citizens),
                 300, "all cases")
            rates.append(len(ups) / (time.time() - start))
            cpus.append((cpu_seconds(t.proc.pid) - cpu) / len(ups) * 1e6)
        finally:
            t.kill(signal.SIGTERM)
            fake.stop()
    rates.sort()
    print("telegram polling: %d updates (%d complaints of 3 messages) into committed cases: "
          "median %.0f updates/s (%.0f..%.0f, %d runs), %.0f us of CPU an update" %
          (3 * citizens_n, citizens_n, rates[len(rates) // 2], rates[0], rates[-1], runs,
           statistics.median(cpus)))


def main():
    bench = "--bench" in sys.argv
    with tempfile.TemporaryDirectory() as work:
        if bench:
            bench_polling(work)
            for latency in (0, 80, 250):
                scenario_rates(work, bench=True, latency_ms=latency)
            return
        only = os.environ.get("TELEGRAM_SCENARIO")
        for name, fn in (("polling", scenario_polling), ("bad_token", scenario_bad_token),
                         ("webhook", scenario_webhook), ("startup", scenario_startup),
                         ("staff", scenario_staff),
                         ("rates", scenario_rates), ("faults", scenario_faults),
                         ("slow_callbacks", scenario_slow_callbacks), ("full_disk", scenario_full_disk),
                         ("sigkill", scenario_sigkill)):
            if not only or only == name:
                fn(work)
    print("telegram: PASS")


if __name__ == "__main__":
    main()
