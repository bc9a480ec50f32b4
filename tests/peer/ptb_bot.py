#!/usr/bin/python3
"""The same job as tyndau's three-step Telegram filing, written the way a Python
developer would write it on Debian's python-telegram-bot 13.15: for `make bench`,
to measure tyndau against.

Durable work per update, as tyndau does it: SQLite in WAL mode with
synchronous=FULL, each update in one transaction with its update_id (a repeated
one has no effect), the conversation's step, the case and its event at the
end, its deadline in a Redis sorted set, and every reply queued in an outbox
in the same transaction.  A sender thread sends the outbox at Telegram's pace
(30 a second in all, 35 ms apart; 1 a second per chat; 20 a minute per group),
waking when a commit queues a reply or the next one may go, and honours 429's
retry_after.

Usage: ptb_bot.py API_URL TOKEN DB REDIS_SOCKET
"""
import datetime
import logging
import sqlite3
import sys
import threading
import time

import redis
from telegram import Bot
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Filters, MessageHandler, Updater

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (update_id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS convo (chat INTEGER PRIMARY KEY, step INTEGER, body TEXT);
CREATE TABLE IF NOT EXISTS cases (number INTEGER PRIMARY KEY AUTOINCREMENT, chat INTEGER,
    body TEXT, kind TEXT, due TEXT, created REAL);
CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, case_number INTEGER, what TEXT, at REAL);
CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY, chat INTEGER, text TEXT,
    state TEXT DEFAULT 'pending', attempts INTEGER DEFAULT 0);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(chat, id) WHERE state = 'pending';
"""
GROUP = -1001000000101
CONFIRM = ("Тексеріңіз:\nТақырып: Коммуналдық қызметтер (су, жылу, жарық, газ)\nАудан: Алмалы ауданы\n"
           "Дұрыс па?\n1. Иә, дұрыс\n2. Тақырыпты өзгерту\n3. Ауданды өзгерту\n4. Бас тарту")
KIND = "Өтініш түрін таңдаңыз:\n1. Шағым\n2. Арыз\n3. Ұсыныс\n4. Сұрау салу"


class Gateway:
    def __init__(self, db, redis_socket):
        self.path = db
        self.local = threading.local()
        self.redis = redis.Redis(unix_socket_path=redis_socket)
        self.work = threading.Condition()
        self.queued = False  # a commit queued replies since the sender last looked
        self.conn().executescript(SCHEMA)

    def conn(self):
        c = getattr(self.local, "c", None)
        if c is None:
            c = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=FULL")
            self.local.c = c
        return c

    def on_message(self, update, context):
        msg = update.effective_message
        chat, text = msg.chat_id, msg.text or ""
        c = self.conn()
        due = None
        c.execute("BEGIN IMMEDIATE")
        try:
            if c.execute("INSERT OR IGNORE INTO seen VALUES (?)", (update.update_id,)).rowcount == 0:
                c.execute("ROLLBACK")
                return  # seen before: no second effect
            row = c.execute("SELECT step, body FROM convo WHERE chat = ?", (chat,)).fetchone()
            step = row[0] if row else 0
            if step == 0:
                c.execute("INSERT OR REPLACE INTO convo VALUES (?, 1, ?)", (chat, text))
                c.execute("INSERT INTO outbox (chat, text) VALUES (?, ?)", (chat, CONFIRM))
            elif step == 1 and text.strip() == "1":
                c.execute("UPDATE convo SET step = 2 WHERE chat = ?", (chat,))
                c.execute("INSERT INTO outbox (chat, text) VALUES (?, ?)", (chat, KIND))
            elif step == 2 and text.strip() in ("1", "2", "3", "4"):
                due = (datetime.date.today() + datetime.timedelta(days=21)).isoformat()
                cur = c.execute("INSERT INTO cases (chat, body, kind, due, created) VALUES (?, ?, ?, ?, ?)",
                                (chat, row[1], text.strip(), due, time.time()))
                number = cur.lastrowid
                c.execute("INSERT INTO events (case_number, what, at) VALUES (?, 'registered', ?)",
                          (number, time.time()))
                c.execute("DELETE FROM convo WHERE chat = ?", (chat,))
                c.execute("INSERT INTO outbox (chat, text) VALUES (?, ?)", (chat,
                          "Өтінішіңіз №%d тіркелді.\nЖауап мерзімі: %s.\nЖағдайын білу үшін: СТАТУС %d"
                          % (number, due, number)))
                c.execute("INSERT INTO outbox (chat, text) VALUES (?, ?)", (GROUP,
                          "Жаңа өтініш №%d\n%s" % (number, row[1])))
            else:
                c.execute("INSERT INTO outbox (chat, text) VALUES (?, ?)", (chat, CONFIRM))
            c.execute("COMMIT")
        except Exception:
            c.execute("ROLLBACK")
            raise
        if due:
            self.redis.zadd("peer:deadlines", {str(number): time.mktime(time.strptime(due, "%Y-%m-%d"))})
        with self.work:
            self.queued = True
            self.work.notify()

    def sender(self, bot, stop):
        c = self.conn()
        sent_all, last_chat, group_times = [], {}, {}
        while not stop.is_set():
            now = time.monotonic()
            rows = c.execute(
                "SELECT o.id, o.chat, o.text FROM outbox o WHERE o.state = 'pending' AND o.id = "
                "(SELECT min(id) FROM outbox p WHERE p.state = 'pending' AND p.chat = o.chat) "
                "ORDER BY o.id LIMIT 64").fetchall()
            wake = None
            for oid, chat, text in rows:
                sent_all = [t for t in sent_all if now - t < 1.01]
                ready = now
                if len(sent_all) >= 30:
                    ready = max(ready, sent_all[0] + 1.01)
                if sent_all:
                    ready = max(ready, sent_all[-1] + 0.035)
                ready = max(ready, last_chat.get(chat, 0) + 1.01)
                if chat < 0:
                    g = [t for t in group_times.get(chat, []) if now - t < 60.1]
                    group_times[chat] = g
                    if len(g) >= 20:
                        ready = max(ready, g[0] + 60.1)
                if ready > now:
                    wake = ready if wake is None else min(wake, ready)
                    continue
                sent_all.append(now)
                last_chat[chat] = now
                if chat < 0:
                    group_times[chat].append(now)
                try:
                    bot.send_message(chat_id=chat, text=text)
                    c.execute("UPDATE outbox SET state = 'sent', attempts = attempts + 1 WHERE id = ?", (oid,))
                except RetryAfter as e:
                    last_chat[chat] = now + e.retry_after
                except TelegramError as e:
                    logging.warning("send to %s: %s", chat, e)
                    c.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (oid,))
                now = time.monotonic()
            with self.work:
                timeout = None if wake is None else max(0.0, wake - time.monotonic())
                if (not rows or wake is not None) and not self.queued:
                    self.work.wait(timeout)
                self.queued = False


def main():
    api, token, db, redis_socket = sys.argv[1:5]
    logging.basicConfig(level=logging.WARNING)
    gw = Gateway(db, redis_socket)
    bot = Bot(token, base_url=api + "/bot")
    updater = Updater(bot=bot, use_context=True)
    updater.dispatcher.add_handler(MessageHandler(Filters.text, gw.on_message))
    stop = threading.Event()
    threading.Thread(target=gw.sender, args=(bot, stop), daemon=True).start()
    updater.start_polling(timeout=25)
    print("peer polling", flush=True)
    updater.idle()
    stop.set()


if __name__ == "__main__":
    main()
