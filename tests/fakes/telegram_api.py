#!/usr/bin/env python3
"""A fake Telegram Bot API server for tyndau's tests.

It speaks the real JSON of the methods tyndau uses (getMe, setMyCommands,
deleteWebhook, setWebhook, getUpdates, sendMessage, sendPhoto, sendDocument,
editMessageText, answerCallbackQuery, getFile and the file it names), enforces Telegram's limits (30
messages a second in all, 1 a second per chat, 20 a minute per group),
answering 429 with parameters.retry_after when they are exceeded, and can
inject faults.

Bot API:      /bot<TOKEN>/<method>   (JSON or form body; a wrong token gets 401)
Files:        /file/bot<TOKEN>/<file_path from getFile>: a small PNG for a file id with
              "PHOTO" in it, else the file id's bytes; a file id with "GONE" is not found
Control API (for tests, JSON):
  POST /control/updates     [update, ...]      queue updates for getUpdates
  POST /control/faults      {"kind": "429"|"500"|"slow"|"drop"|"malformed",
                             "count": N, "retry_after": S, "delay": S,
                             "method": M (only that method; any if absent)}
  POST /control/block       {"chat_id": N}     that chat has blocked the bot (403)
  POST /control/latency     {"ms": N}          every request but getUpdates takes N ms more
                                               (the round trip from far away)
  GET  /control/sent        every message sent, with its arrival time
  GET  /control/stats       counters: requests, 429s given, faults, updates confirmed,
                            requests answered at once at most (max_in_flight), requests to a
                            chat that already had one being answered (chat_overlaps)
  GET  /control/webhook     the webhook set (url, secret_token)
  POST /control/reset
Options: PORT TOKEN [--missing=METHOD,...]  answer those methods 404, as a partial Bot API would

Usage: telegram_api.py PORT TOKEN [--strict-limits]
"""
import json
import socket
import struct
import zlib
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LOCK = threading.Condition()
STATE = {}


def png(width=8, height=8, rgb=(200, 30, 30)):
    """A real PNG of one colour, so a browser shows it."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def file_bytes(file_id):
    return png() if "PHOTO" in file_id else ("file " + file_id).encode()


def reset():
    STATE.update(
        updates=[],          # queued updates, in update_id order
        confirmed=0,         # highest offset a getUpdates asked for
        sent=[],             # every accepted message
        faults=[],           # pending faults
        blocked=set(),
        webhook={"url": "", "secret_token": ""},
        commands={},
        stats={"requests": 0, "429": 0, "faults": 0, "callbacks_answered": 0, "edits": 0,
               "in_flight": 0, "max_in_flight": 0, "chat_overlaps": 0},
        latency_ms=0,        # added to every request but getUpdates
        chat_flying={},      # chat -> requests to it being answered
        global_times=[],     # send times in the last second
        chat_last={},        # chat -> last send time
        group_times={},      # group chat -> send times in the last minute
        next_message_id=1,
        limited=[],          # why each 429 from the limits was given
    )


reset()


def now():
    return time.monotonic()


def uid(u):
    v = u.get("update_id") if isinstance(u, dict) else None
    return v if isinstance(v, int) else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # headers and body go out in two writes: without this, Nagle's algorithm
        # and the client's delayed ACK add 40 ms to every answer
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, obj, raw=None):
        body = raw if raw is not None else json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def params(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        ctype = self.headers.get("Content-Type", "")
        if raw and "json" in ctype:
            query.update(json.loads(raw))
        elif raw:
            query.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
        return query

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def route(self):
        path = urlparse(self.path).path
        try:
            if path.startswith("/control/"):
                return self.control(path[len("/control/"):])
            parts = path.split("/")
            if len(parts) == 5 and parts[1] == "file" and parts[2] == "bot" + TOKEN:
                return self.file(parts[4])
            if len(parts) != 3 or not parts[1].startswith("bot"):
                return self.reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            if parts[1][3:] != TOKEN:
                return self.reply(401, {"ok": False, "error_code": 401,
                                        "description": "Unauthorized"})
            self.method(parts[2], self.params())
        except (BrokenPipeError, ConnectionResetError):
            pass

    # -- faults -------------------------------------------------------------
    def take_fault(self, method):
        if method in ("getUpdates", "getMe", "setMyCommands", "deleteWebhook", "setWebhook"):
            return None
        with LOCK:
            # a fault may name the one method it hits
            hits = [f for f in STATE["faults"] if f.get("method", method) == method]
            if not hits:
                return None
            fault = hits[0]
            fault["count"] -= 1
            if fault["count"] <= 0:
                STATE["faults"].remove(fault)
            STATE["stats"]["faults"] += 1
            return dict(fault)

    def fault_reply(self, fault):
        kind = fault["kind"]
        if kind == "429":
            ra = int(fault.get("retry_after", 1))
            with LOCK:
                STATE["stats"]["429"] += 1
            return self.reply(429, {"ok": False, "error_code": 429,
                                    "description": "Too Many Requests: retry after %d" % ra,
                                    "parameters": {"retry_after": ra}})
        if kind == "500":
            return self.reply(500, {"ok": False, "error_code": 500,
                                    "description": "Internal Server Error"})
        if kind == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        if kind == "malformed":
            return self.reply(200, None, raw=b'{"ok": true, "result": {"message_id": ')
        return None

    # -- limits -------------------------------------------------------------
    def over_limit(self, chat_id):
        """Records a send, or returns the retry_after Telegram would give."""
        t = now()
        with LOCK:
            g = [x for x in STATE["global_times"] if t - x < 1.0]
            STATE["global_times"] = g
            if len(g) >= 30:
                STATE["limited"].append({"chat_id": chat_id, "limit": "30 a second in all"})
                return 1
            last = STATE["chat_last"].get(chat_id)
            if last is not None and t - last < 1.0 - 0.05:
                STATE["limited"].append({"chat_id": chat_id, "limit": "1 a second per chat",
                                         "gap": t - last})
                return 1
            if chat_id < 0:
                times = [x for x in STATE["group_times"].get(chat_id, []) if t - x < 60.0]
                STATE["group_times"][chat_id] = times
                if len(times) >= 20:
                    STATE["limited"].append({"chat_id": chat_id, "limit": "20 a minute per group"})
                    return int(60 - (t - times[0])) + 1
                times.append(t)
            g.append(t)
            STATE["chat_last"][chat_id] = t
            return 0

    def method(self, name, p):
        chat = str(p.get("chat_id")) if p.get("chat_id") is not None else None
        with LOCK:
            STATE["stats"]["requests"] += 1
            latency = STATE["latency_ms"] / 1000.0 if name != "getUpdates" else 0
            st = STATE["stats"]
            st["in_flight"] += 1
            st["max_in_flight"] = max(st["max_in_flight"], st["in_flight"])
            if chat is not None:
                STATE["chat_flying"][chat] = STATE["chat_flying"].get(chat, 0) + 1
                if STATE["chat_flying"][chat] > 1:
                    st["chat_overlaps"] += 1  # two requests to one chat at once
        try:
            if latency:
                time.sleep(latency)  # the way there and back, as from far away
            self.answer(name, p)
        finally:
            with LOCK:
                STATE["stats"]["in_flight"] -= 1
                if chat is not None:
                    STATE["chat_flying"][chat] -= 1

    def answer(self, name, p):
        fault = self.take_fault(name)
        if fault:
            if fault["kind"] == "slow":
                time.sleep(float(fault.get("delay", 2)))
            else:
                return self.fault_reply(fault)
        handler = getattr(self, "m_" + name, None)
        if not handler or name in MISSING:
            return self.reply(404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
        handler(p)

    def m_getFile(self, p):
        file_id = str(p.get("file_id", ""))
        if not file_id or "GONE" in file_id:
            return self.reply(400, {"ok": False, "error_code": 400,
                                    "description": "Bad Request: invalid file_id"})
        with LOCK:
            STATE["stats"]["files"] = STATE["stats"].get("files", 0) + 1
        self.reply(200, {"ok": True, "result": {
            "file_id": file_id, "file_unique_id": "u" + file_id[-8:], "file_size": len(file_bytes(file_id)),
            "file_path": ("photos/%s.jpg" if "PHOTO" in file_id else "documents/%s") % file_id}})

    def file(self, name):
        file_id = name.rsplit(".", 1)[0] if name.endswith(".jpg") else name
        body = file_bytes(file_id)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def m_getMe(self, p):
        self.reply(200, {"ok": True, "result": {"id": 5000000001, "is_bot": True,
                                                "first_name": "tyndau", "username": "tyndau_test_bot"}})

    def m_setMyCommands(self, p):
        cmds = p.get("commands")
        if isinstance(cmds, str):
            cmds = json.loads(cmds)
        with LOCK:
            STATE["commands"][p.get("language_code", "")] = cmds
        self.reply(200, {"ok": True, "result": True})

    def m_deleteWebhook(self, p):
        with LOCK:
            STATE["webhook"] = {"url": "", "secret_token": ""}
        self.reply(200, {"ok": True, "result": True, "description": "Webhook was deleted"})

    def m_setWebhook(self, p):
        with LOCK:
            STATE["webhook"] = {"url": p.get("url", ""), "secret_token": p.get("secret_token", ""),
                                "allowed_updates": p.get("allowed_updates")}
        self.reply(200, {"ok": True, "result": True, "description": "Webhook was set"})

    def m_getUpdates(self, p):
        if STATE["webhook"]["url"]:
            return self.reply(409, {"ok": False, "error_code": 409, "description":
                                    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"})
        offset = int(p.get("offset", 0))
        limit = int(p.get("limit", 100))
        timeout = float(p.get("timeout", 0))
        deadline = now() + timeout
        with LOCK:
            if offset:
                STATE["confirmed"] = max(STATE["confirmed"], offset)
                STATE["updates"] = [e for e in STATE["updates"] if e[0] >= offset]
            while True:
                ready = [e[1] for e in STATE["updates"] if e[0] >= offset][:limit]
                if ready or now() >= deadline:
                    break
                LOCK.wait(min(0.2, max(0.0, deadline - now())))
        self.reply(200, {"ok": True, "result": ready})

    def send(self, p, kind):
        try:
            chat_id = int(p.get("chat_id"))
        except (TypeError, ValueError):
            return self.reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
        text = p.get("text") if kind == "text" else p.get("caption", "")
        if kind == "text" and not text:
            return self.reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"})
        if text and len(text) > (4096 if kind == "text" else 1024):
            return self.reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"})
        markup = p.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in (markup or {}).get("inline_keyboard", []):
            for b in row:
                if len(b.get("callback_data", "").encode()) > 64:
                    return self.reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: BUTTON_DATA_INVALID"})
        with LOCK:
            if chat_id in STATE["blocked"]:
                return self.reply(403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
        retry = self.over_limit(chat_id)
        if retry:
            with LOCK:
                STATE["stats"]["429"] += 1
            return self.reply(429, {"ok": False, "error_code": 429,
                                    "description": "Too Many Requests: retry after %d" % retry,
                                    "parameters": {"retry_after": retry}})
        with LOCK:
            mid = STATE["next_message_id"]
            STATE["next_message_id"] += 1
            entry = {"message_id": mid, "chat_id": chat_id, "kind": kind, "text": text,
                     "reply_markup": markup, "file": p.get("photo") or p.get("document"),
                     "at": time.time()}
            STATE["sent"].append(entry)
        self.reply(200, {"ok": True, "result": {
            "message_id": mid, "date": int(time.time()),
            "from": {"id": 5000000001, "is_bot": True, "first_name": "tyndau"},
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            **({"text": text} if kind == "text" else {"caption": text})}})

    def m_sendMessage(self, p):
        self.send(p, "text")

    def m_sendPhoto(self, p):
        self.send(p, "photo")

    def m_sendDocument(self, p):
        self.send(p, "document")

    def m_editMessageText(self, p):
        text = p.get("text") or ""
        if len(text) > 4096:
            return self.reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: MESSAGE_TOO_LONG"})
        markup = p.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        with LOCK:
            STATE["stats"]["edits"] += 1
            for e in STATE["sent"]:
                if e["message_id"] == int(p.get("message_id", 0)):
                    e.setdefault("edits", []).append(text)
                    e["text"] = text
                    # as Telegram: an edit without reply_markup keeps the keyboard
                    if markup is not None:
                        e["reply_markup"] = markup
                    return self.reply(200, {"ok": True, "result": {"message_id": e["message_id"]}})
        self.reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: message to edit not found"})

    def m_answerCallbackQuery(self, p):
        with LOCK:
            STATE["stats"]["callbacks_answered"] += 1
        self.reply(200, {"ok": True, "result": True})

    # -- control ------------------------------------------------------------
    def control(self, what):
        if what == "updates":
            ups = self.params_json()
            with LOCK:
                # a malformed update (no numeric id, as tests send) goes out after the one before it
                last = STATE["updates"][-1][0] if STATE["updates"] else 0
                for u in ups:
                    key = uid(u)
                    last = key if key is not None else last + 0.5
                    STATE["updates"].append((last, u))
                STATE["updates"].sort(key=lambda e: e[0])
                LOCK.notify_all()
            return self.reply(200, {"ok": True, "queued": len(ups)})
        if what == "faults":
            f = self.params_json()
            with LOCK:
                STATE["faults"].append(f)
            return self.reply(200, {"ok": True})
        if what == "latency":
            with LOCK:
                STATE["latency_ms"] = float(self.params_json()["ms"])
            return self.reply(200, {"ok": True})
        if what == "block":
            with LOCK:
                STATE["blocked"].add(int(self.params_json()["chat_id"]))
            return self.reply(200, {"ok": True})
        if what == "sent":
            with LOCK:
                return self.reply(200, STATE["sent"])
        if what == "stats":
            with LOCK:
                s = dict(STATE["stats"])
                s["confirmed"] = STATE["confirmed"]
                s["pending_updates"] = len(STATE["updates"])
                s["commands"] = STATE["commands"]
                s["limited"] = STATE["limited"]
                return self.reply(200, s)
        if what == "webhook":
            with LOCK:
                return self.reply(200, STATE["webhook"])
        if what == "reset":
            with LOCK:
                reset()
            return self.reply(200, {"ok": True})
        return self.reply(404, {"ok": False})

    def params_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"null")


MISSING = set()

if __name__ == "__main__":
    PORT = int(sys.argv[1])
    TOKEN = sys.argv[2]
    for arg in sys.argv[3:]:
        if arg.startswith("--missing="):
            MISSING.update(arg.split("=", 1)[1].split(","))
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    server.daemon_threads = True
    print("fake telegram api on %d" % server.server_address[1], flush=True)
    server.serve_forever()
