#!/usr/bin/python3
"""The staff's dashboard (/web/) in a real browser, and its security.

Usage: web.py TYNDAU_BINARY   (Debian's python3: it needs python3-selenium, chromium and
chromium-driver, which `make deps` installs)

Citizens file appeals over the fake Bot API (one with hostile markup in its words); a month
later the supervisor sends /web, opens the link in headless Chromium, signs in, sees the
overdue cases, answers one and transfers another through the forms, searches, downloads CSV
and XLSX, looks at the charts and signs out.  Around it, without a browser: every page and
action signed out, a link opened by a preview and then used, used twice, expired, a form
without its CSRF token, another body's officer, /web in a group chat.
Screenshots are kept in build/test-logs/web/ (or $WEB_SHOTS).
"""
import http.cookiejar
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import threading
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from telegram import (ENERGY_CHAT, SUPERVISOR, TYNDAU, Fake, Tyndau, callback, free_port,  # noqa: E402
                      message, wait, wait_text, last_text, ROOT)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

AIGERIM = 700000001  # an officer of energy
DMITRY = 700000002   # an officer of mobility
MOBILITY_CHAT = -1001000000102
HOSTILE = "<script>alert('x')</script>\"'><img src=x onerror=alert(2)>&amp;"
SHOTS = os.environ.get("WEB_SHOTS") or os.path.join(ROOT, "build/test-logs/web")


class Client:
    """A browser without a browser: cookies kept, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  self.NoRedirect)

    def go(self, path, form=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            url = self.base + urllib.parse.quote(path, safe="/?=&%")
            with self.opener.open(url, data=data, timeout=20) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)

    def text(self, path, form=None):
        status, body, _ = self.go(path, form)
        return status, body.decode()

    def sign_in(self, link):
        token = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)["t"][0]
        return self.go("/web/signin", {"t": token})

    def csrf(self):
        status, page = self.text("/web/")
        assert status == 200, (status, page[:300])
        return re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)


def file_appeal(fake, chat, text, pin=None, **attachment):
    """An appeal by Telegram; with photo= or document=, its words are the caption; pin: a place."""
    fake.updates([message(chat, caption=text, **attachment) if attachment else message(chat, text)])
    wait(lambda: "?" in last_text(fake, chat), 15, "the question to %d" % chat)
    if pin:
        asked = len(fake.to(chat))
        fake.updates([message(chat, location={"latitude": pin[0], "longitude": pin[1]})])
        wait(lambda: len(fake.to(chat)) > asked + 1 and "?" in last_text(fake, chat), 15,
             "the question again after the place")
    fake.updates([callback(chat, "ok")])
    wait(lambda: "t:complaint" in str(fake.to(chat)[-1].get("reply_markup", "")), 15, "the types")
    fake.updates([callback(chat, "t:complaint")])
    wait(lambda: "№" in last_text(fake, chat), 15, "the number")
    return re.search(r"№\s?(\d+)", last_text(fake, chat)).group(1)


def web_link(fake, chat, user=None):
    since = len(fake.to(chat))
    fake.updates([message(chat, "/web", user=user)])
    msg = wait(lambda: [m["text"] for m in fake.to(chat)[since:]], 15, "the answer to /web")[0]
    return msg


def db(path, sql, *args):
    con = sqlite3.connect(path, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600",
              "--disable-dev-shm-usage"):
        opts.add_argument(a)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def shot(drv, name, what, shots):
    path = os.path.join(SHOTS, name + ".png")
    drv.save_screenshot(path)
    shots.append((name, what))


def main():
    os.makedirs(SHOTS, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        check_console(work)
        fake = Fake(work)
        dbp = os.path.join(work, "web.db")
        t = Tyndau(work, fake, db=dbp).start()
        try:
            files = [{"photo": [{"file_id": "small-1", "file_unique_id": "a", "width": 90, "height": 90},
                                {"file_id": "PHOTO-620001", "file_unique_id": "b", "width": 800,
                                 "height": 600}]},
                     {"document": {"file_id": "DOC-620002", "file_unique_id": "c",
                                   "file_name": "act.html", "mime_type": "text/html"}},
                     {"photo": [{"file_id": "PHOTO-GONE-3", "file_unique_id": "d", "width": 9,
                                 "height": 9}]}]
            water = [file_appeal(fake, 620001 + i, "Алмалы ауданы, Абай 1%d үйінде үш күннен бері "
                                 "ыстық су жоқ, көмектесіңіздер" % i, **files[i]) for i in range(3)]
            # the files are fetched from the Bot API in the background, for the dashboard
            wait(lambda: db(dbp, "SELECT count(*) FROM attachments WHERE fetched = 1")[0][0] == 2,
                 20, "the photo and the document fetched")
            # one the Bot API no longer has is given up, not tried forever
            wait(lambda: db(dbp, "SELECT count(*) FROM attachments WHERE fetched = -1")[0][0] == 1,
                 20, "the lost photo given up")
            road = file_appeal(fake, 620010, "В Бостандыкском районе огромная яма на дороге "
                               "у дома 5 по улице Тимирязева " + HOSTILE, pin=(43.218764, 76.927611))
        finally:
            t.kill(signal.SIGTERM)
        # a month later: all of them are overdue
        later = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() + 5 * 3600 + 30 * 86400))
        t.start("--now", later)
        base = "http://" + t.listen
        try:
            wait(lambda: t.health()[0] in (200, 503), 15, "the listener")
            check_published(fake, base, road, water[0])
            check_signed_out(base, water[0])
            check_links(fake, t, base, dbp)
            check_rights(fake, base, dbp, road, water[0])
            run_browser(fake, base, dbp, water, road)
        finally:
            t.kill(signal.SIGTERM)
            fake.stop()
    print("web: PASS")


def check_published(fake, base, road, water):
    """A citizen's words reach Open311 only after they say PUBLIC N, and leave it with PRIVATE N."""
    def request(number):
        with urllib.request.urlopen("%s/open311/v2/requests/%s.json" % (base, number), timeout=10) as r:
            return json.loads(r.read())[0]
    assert "description" not in request(road) and "description" not in request(water)
    fake.updates([message(620010, "публично " + road)])
    wait_text(fake, 620010, "показан на открытом портале")
    # the pin is published to about 100 m, not the door it was sent from
    assert (request(road)["lat"], request(road)["long"]) == (43.219, 76.928), request(road)
    words = request(road)["description"]
    assert words.startswith("В Бостандыкском районе огромная яма") and HOSTILE in words, words
    assert "description" not in request(water)
    # another citizen cannot publish it: it reads like a missing case
    fake.updates([message(620001, "/public " + road)])
    wait_text(fake, 620001, road)
    assert "жоқ" in last_text(fake, 620001), last_text(fake, 620001)
    fake.updates([message(620010, "скрыть " + road)])
    wait_text(fake, 620010, "не показывается")
    assert "description" not in request(road)
    fake.updates([message(620010, "публично " + road)])
    wait_text(fake, 620010, "показан на открытом портале")
    print("PASS published: a pin to about 100 m; a case's words in Open311 only after PUBLIC N "
          "by its own citizen, gone after PRIVATE N")


def check_console(work):
    """The README's way to try it without Telegram: the console (make run) serves the dashboard;
    :as erlan, /web, and the link opens it."""
    conf = open(os.path.join(ROOT, "config/tyndau.conf")).read()
    port = free_port()
    for a, b in (('path = "var/tyndau.db"', 'path = "%s/console.db"' % work),
                 ('dir = "texts"', 'dir = "%s/config/texts"' % ROOT),
                 ('district_map = "', 'district_map = "%s/config/' % ROOT),
                 ('listen = "127.0.0.1:8080"', 'listen = "127.0.0.1:%d"' % port)):
        conf = conf.replace(a, b)
    path = os.path.join(work, "console.conf")
    open(path, "w").write(conf)
    p = subprocess.Popen([TYNDAU, "-c", path, "console"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    timer = threading.Timer(60, p.kill)
    timer.start()
    try:
        p.stdin.write("Алмалы ауданында үш күннен бері су жоқ\n1\n1\n:as erlan\n/web\n")
        p.stdin.flush()
        link = None
        while not link:
            line = p.stdout.readline()
            assert line, "the console ended without a link"
            m = re.search(r"http://127\.0\.0\.1:%d/web/signin\?t=[0-9a-f]{64}&lang=ru" % port, line)
            link = m and m.group(0)
        c = Client("http://127.0.0.1:%d" % port)
        status, _, _ = c.sign_in(link)
        assert status == 303, status
        status, page = c.text("/web/search?q=%D1%81%D1%83")  # "су"
        assert status == 200 and "Ерлан Ахметов" in page and ">10008</a>" in page, page
        p.stdin.write(":quit\n")
        p.stdin.close()
        assert p.wait(timeout=30) == 0
    finally:
        timer.cancel()
        p.kill()
    print("PASS console: make run's console serves the dashboard; :as erlan, /web, the link "
          "signs in and the console's case is found")


def check_signed_out(base, number):
    """Nothing of anyone to a visitor without a session: 401 and the way to sign in."""
    c = Client(base)
    for path in ("/web/", "/web/queue", "/web/queue?body=energy", "/web/search?q=%D1%81%D1%83",
                 "/web/case?n=" + number, "/web/charts", "/web/?format=csv",
                 "/web/search?format=xlsx", "/web/nothing", "/web/file?n=%s&id=1" % number):
        status, page = c.text(path)
        assert status == 401, (path, status)
        assert number not in page and "Ерлан" not in page and "Айгерім" not in page, (path, page)
        assert "/web" in page, page
    status, _ = c.text("/web/act", {"n": number, "action": "take", "csrf": "0" * 64})
    assert status == 401, status
    status, _ = c.text("/web/signin", {"t": "0" * 64})
    assert status == 403, status
    status, _ = c.text("/web/signin", {"t": "../../etc"})
    assert status == 400, status
    print("PASS signed out: 10 pages, files and exports 401 without a case number or a staff name; "
          "an action 401; a made-up link 403")


def check_links(fake, t, base, dbp):
    # in a group a link would be seen by all: refused
    msg = web_link(fake, ENERGY_CHAT, user=AIGERIM)
    assert "/web/signin" not in msg and "/web" in msg, msg
    msg = web_link(fake, SUPERVISOR)
    link = re.search(r"http://\S+/web/signin\?t=[0-9a-f]{64}&lang=ru", msg).group(0)
    c = Client(base)
    # a preview (GET) does not spend it
    for _ in range(2):
        status, page = c.text(link[len(base):])
        assert status == 200 and "<form" in page and "Войти" in page, (status, page)
    status, _, headers = c.sign_in(link)
    assert status == 303 and headers["Location"] == "/web/", (status, headers)
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/web/" in cookie, cookie
    assert "Max-Age=43200" in cookie, cookie
    status, _ = c.text("/web/")
    assert status == 200, status
    # used again, by anyone: refused
    status, page = Client(base).text("/web/signin", {"t": link.split("t=")[1].split("&")[0]})
    assert status == 403 and "/web" in page, status
    # expired: a link asked for, then left past web.link_minutes
    msg = web_link(fake, SUPERVISOR)
    token = re.search(r"t=([0-9a-f]{64})", msg).group(1)
    con = sqlite3.connect(dbp, timeout=10)
    con.execute("UPDATE web_links SET expires_at = expires_at - 16 * 60 WHERE token = ?", (token,))
    con.commit()
    con.close()
    status, _ = Client(base).text("/web/signin", {"t": token})
    assert status == 403, status
    # a form without its token, or with another's: nothing done
    before = db(dbp, "SELECT count(*) FROM events")[0][0]
    number = db(dbp, "SELECT number FROM cases WHERE number IS NOT NULL LIMIT 1")[0][0]
    for form in ({"n": number, "action": "take"},
                 {"n": number, "action": "take", "csrf": "a" * 64},
                 {"n": number, "action": "take", "csrf": ""}):
        status, page = c.text("/web/act", form)
        assert status == 403, (form, status)
    status, _ = c.text("/web/signout", {})
    assert status == 403, status
    assert db(dbp, "SELECT count(*) FROM events")[0][0] == before
    # signing out ends the session at the server, not only in the browser
    csrf = c.csrf()
    status, page = c.text("/web/signout", {"csrf": csrf})
    assert status == 200, status
    session = [ck for ck in c.jar]
    assert not session, session
    status, _ = c.text("/web/")
    assert status == 401, status
    print("PASS links: /web refused in a group; the link survives previews, opens one session "
          "(HttpOnly, SameSite=Lax, 12 h), is refused used again and when expired; forms "
          "without the CSRF token change nothing; sign-out ends the session")


def check_rights(fake, base, dbp, road, water):
    """An energy officer sees energy's cases only; the mobility queue and the road case refused."""
    msg = web_link(fake, AIGERIM)
    link = re.search(r"http://\S+", msg).group(0)
    c = Client(base)
    status, _, _ = c.sign_in(link)
    assert status == 303, status
    status, page = c.text("/web/case?n=" + road)
    assert status == 403 and "яма" not in page and "Тимирязева" not in page, (status, page)
    status, page = c.text("/web/queue?body=mobility")
    assert status == 403, status
    # what the address carries is shown, escaped, in the refusal
    for path in ("/web/case?n=%3Cscript%3Ealert(1)%3C/script%3E", "/web/queue?body=%22%3E%3Cb%3E",
                 "/web/search?district=%3Cb%3E", "/web/file?n=1&id=%3Cb%3E"):
        status, page = c.text(path)
        assert status in (400, 404) and "<script>" not in page and "<b>" not in page, (path, page)
    status, page = c.text("/web/search?body=mobility&q=яма")
    assert status == 403 and "Тимирязева" not in page, status
    status, page = c.text("/web/search?q=%D1%8F%D0%BC%D0%B0")  # "яма": not in energy's cases
    assert status == 200 and road not in page, page
    status, page = c.text("/web/")
    assert status == 200 and water in page and road not in page, page
    # a file goes only to who may see its case
    other = Client(base)
    assert other.sign_in(re.search(r"http://\S+", web_link(fake, DMITRY)).group(0))[0] == 303
    photo = db(dbp, "SELECT a.id FROM attachments a JOIN cases c ON c.id = a.case_id WHERE "
               "c.number = ? AND a.kind = 'photo'", water)[0][0]
    status, body, headers = c.go("/web/file?n=%s&id=%d" % (water, photo))
    assert status == 200 and headers["Content-Type"] == "image/png" and body[:4] == b"\x89PNG", headers
    status, body, _ = other.go("/web/file?n=%s&id=%d" % (water, photo))
    assert status == 403 and b"\x89PNG" not in body, status
    status, _, _ = c.go("/web/file?n=%s&id=%d" % (road, photo))  # another case's file id
    assert status == 403, status
    status, csv = c.text("/web/?format=csv")
    assert status == 200 and water in csv and road not in csv, csv
    csrf = c.csrf()
    before = db(dbp, "SELECT status, body FROM cases WHERE number = ?", road)
    for form in ({"action": "take"}, {"action": "transfer", "body": "energy"},
                 {"action": "close", "outcome": "resolved", "reason": "всё сделано, закрываем"},
                 {"action": "answer", "text": "Яму заделали сегодня, спасибо за обращение"},
                 {"action": "extend", "date": "2027-02-26", "reason": "нужен подрядчик и смета"},
                 {"action": "forward", "name": "АО КазТрансГаз Аймак"}):
        form.update({"n": road, "csrf": csrf})
        status, _, headers = c.go("/web/act", form)
        assert status == 303, status
        status, page = c.text(headers["Location"])
        assert status == 403, status
    assert db(dbp, "SELECT status, body FROM cases WHERE number = ?", road) == before
    print("PASS rights: a photo only to who may see its case; an officer of energy is refused "
          "mobility's case, queue and search, "
          "sees only energy's cases in lists and exports, and cannot take, answer, transfer, "
          "extend, close or forward another body's case")


def run_browser(fake, base, dbp, water, road):
    shots = []
    msg = web_link(fake, SUPERVISOR)
    link = re.search(r"http://\S+", msg).group(0)
    drv = browser()
    try:
        drv.get(link)
        shot(drv, "01-signin", "the sign-in page: one button", shots)
        drv.find_element(By.TAG_NAME, "button").click()
        wait(lambda: "/web/" in drv.current_url and "signin" not in drv.current_url, 10, "signed in")
        body = drv.find_element(By.TAG_NAME, "main").text
        for n in water + [road]:
            assert n in body, (n, body)
        late = drv.find_elements(By.CSS_SELECTOR, "tr.late")
        assert len(late) >= 4, len(late)
        assert "Управление энергетики" in body and "Управление мобильности" in body, body
        shot(drv, "02-overdue", "the morning page: overdue per body, then the lists", shots)
        # no hostile markup ran or became an element
        assert not drv.find_elements(By.CSS_SELECTOR, "main img, main script"), "markup injected"
        # answer a water case through the form
        drv.find_element(By.LINK_TEXT, water[0]).click()
        main = drv.find_element(By.TAG_NAME, "main").text
        assert "ыстық су жоқ" in main, main
        # the citizen's photo, fetched from Telegram and shown from tyndau itself
        img = wait(lambda: drv.find_elements(By.CSS_SELECTOR, "main img"), 10, "the photo")[0]
        assert drv.execute_script("return arguments[0].naturalWidth", img) == 8
        shot(drv, "03-case", "a case: its figures, the citizen's photo and words, the forms, the history", shots)
        answer = "Ыстық су бүгін 14:00-де қосылды, кешіріңіз, тексеріп тұрамыз."
        form = drv.find_element(By.CSS_SELECTOR, "form.act input[value=answer]").find_element(By.XPATH, "..")
        form.find_element(By.NAME, "text").send_keys(answer)
        form.find_element(By.TAG_NAME, "button").click()
        flash = wait(lambda: drv.find_elements(By.CSS_SELECTOR, "p.flash"), 10, "the flash")[0].text
        assert water[0] in flash, flash
        shot(drv, "04-answered", "the case after the answer: what the chat would say, its history", shots)
        wait(lambda: any(answer in m["text"] for m in fake.to(620001)), 15, "the answer at the citizen")
        assert db(dbp, "SELECT status FROM cases WHERE number = ?", water[0]) == [("answered",)]
        assert db(dbp, "SELECT count(*) FROM events e JOIN cases c ON c.id = e.case_id WHERE "
                  "c.number = ? AND e.kind = 'answered' AND e.actor = 'staff:erlan'", water[0])[0][0] == 1
        drv.get(base + "/web/case?n=" + water[2])
        assert "не удалось получить из Telegram" in drv.find_element(By.TAG_NAME, "main").text
        # a document is only ever downloaded, whatever it claims to be
        drv.get(base + "/web/case?n=" + water[1])
        link = drv.find_element(By.PARTIAL_LINK_TEXT, "документ").get_attribute("href")
        cookie = {c["name"]: c["value"] for c in drv.get_cookies()}
        req = urllib.request.Request(link, headers={"Cookie": "tyndau_session=" + cookie["tyndau_session"]})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.headers["Content-Type"] == "application/octet-stream", dict(r.headers)
            assert r.headers["Content-Disposition"].startswith("attachment"), dict(r.headers)
            assert r.read() == b"file DOC-620002"
        # transfer the road case to the Bostandyk akimat
        drv.get(base + "/web/case?n=" + road)
        words = drv.find_element(By.CSS_SELECTOR, "div.words").text
        assert HOSTILE in words, words  # shown as text, exactly as the citizen wrote it
        form = drv.find_element(By.CSS_SELECTOR, "form.act input[value=transfer]").find_element(By.XPATH, "..")
        form.find_element(By.CSS_SELECTOR, "option[value=akimat_bostandyk]").click()
        form.find_element(By.TAG_NAME, "button").click()
        wait(lambda: drv.find_elements(By.CSS_SELECTOR, "p.flash"), 10, "the flash")
        assert db(dbp, "SELECT body, status FROM cases WHERE number = ?", road) == [("akimat_bostandyk", "registered")]
        # a refused action says why (an answer too short), nothing changes
        form = drv.find_element(By.CSS_SELECTOR, "form.act input[value=answer]").find_element(By.XPATH, "..")
        form.find_element(By.NAME, "text").send_keys("ок")
        form.find_element(By.TAG_NAME, "button").click()
        flash = wait(lambda: drv.find_elements(By.CSS_SELECTOR, "p.flash"), 10, "the flash")[0].text
        assert "короткий" in flash or "коротк" in flash, flash
        assert db(dbp, "SELECT status FROM cases WHERE number = ?", road) == [("registered",)]
        shot(drv, "05-transferred", "the road case after the transfer and a refused short answer", shots)
        # search with hostile words: reflected as text
        drv.get(base + "/web/search?q=" + urllib.parse.quote(HOSTILE))
        assert drv.find_element(By.NAME, "q").get_attribute("value") == HOSTILE
        assert not drv.find_elements(By.CSS_SELECTOR, "main img, main script"), "markup injected"
        drv.get(base + "/web/search?q=" + urllib.parse.quote("ыстық су"))
        rows = drv.find_elements(By.CSS_SELECTOR, "main table tr")
        assert len(rows) == 4, len(rows)  # the header and the three water cases
        shot(drv, "06-search", "search by words: the three water cases", shots)
        drv.get(base + "/web/queue?body=energy&lang=en")
        assert "Queue: Department of Energy and Water Supply" in drv.find_element(By.TAG_NAME, "h1").text
        shot(drv, "07-queue", "energy's queue, in English", shots)
        drv.get(base + "/web/charts")
        svgs = drv.find_elements(By.CSS_SELECTOR, "svg")
        assert len(svgs) >= 4, len(svgs)
        assert drv.find_elements(By.CSS_SELECTOR, "svg rect"), "no bars"
        shot(drv, "08-charts", "charts: weekly by topic, in time, median days, rating, overdue now", shots)
        # the downloads, with the browser's own cookie
        cookie = {c["name"]: c["value"] for c in drv.get_cookies()}
        c = Client(base)
        c.jar.set_cookie(http.cookiejar.Cookie(
            0, "tyndau_session", cookie["tyndau_session"], None, False, base.split("//")[1].split(":")[0],
            False, False, "/web/", True, False, None, False, None, None, {}))
        status, body, headers = c.go("/web/?format=csv")
        text = body.decode("utf-8-sig")
        assert status == 200 and "text/csv" in headers["Content-Type"], headers
        assert text.splitlines()[0].startswith('"Number","Status"'), text[:200]
        assert water[1] in text and road in text, text
        status, body, headers = c.go("/web/search?format=xlsx")
        assert status == 200 and "spreadsheetml" in headers["Content-Type"], headers
        book = zipfile.ZipFile(io.BytesIO(body))
        cells = book.read("xl/worksheets/sheet1.xml").decode()
        assert "<v>%s</v>" % road in cells, cells[:500]  # a case number, a number to sort by
        assert "Department of Energy" in cells, cells[:500]  # strings written in their cells
        # sign out: the browser's session is gone
        drv.find_element(By.CSS_SELECTOR, "header form button").click()
        wait(lambda: "/web/signout" in drv.current_url, 10, "signed out")
        drv.get(base + "/web/")
        assert "/web" in drv.find_element(By.TAG_NAME, "p").text
        shot(drv, "09-signed-out", "after signing out: the way to sign in, nothing else", shots)
    finally:
        drv.quit()
    print("PASS browser: signed in through the link, overdue page with 4 late cases, the "
          "citizen's photo shown and a document only downloaded, a lost file said so, answered "
          "and transferred through the forms (the citizen got the answer), a short answer "
          "refused, hostile words shown as text, search, queue in English, 4+ charts, CSV and "
          "XLSX downloads, signed out")
    for name, what in shots:
        print("  screenshot %s/%s.png: %s" % (SHOTS, name, what))


if __name__ == "__main__":
    main()
