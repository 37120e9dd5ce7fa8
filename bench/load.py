"""`make load`: residents completing forms against the production set-up, on loopback only.

Starts everything it needs and removes it again, also on Ctrl-C or failure:

- a PostgreSQL database of its own (`tetsuzuki_load_<pid>_<random>`, on the server of
  TEST_DATABASE_URL), migrated with `flask db upgrade` and filled with `flask demo`
  (the shipped catalogue and forms);
- a Redis key prefix of its own, in an empty database number of the server of
  TEST_REDIS_URL (the queue, RQ's own keys and the rate-limit counters);
- an instance folder of its own in a temporary directory (receipt PDFs, uploads, mails);
- gunicorn bound to 127.0.0.1 on a free port, and RQ workers (`flask worker`).

gunicorn runs 4 gthread workers of 4 threads: a thread waiting for PostgreSQL or Redis
lets another use the CPU, and connections are kept alive, as browsers expect. 4 threads
stay within SQLAlchemy's pool (5 connections per process), so no request waits for a
connection, and 4 × 4 + the workers' few connections stay far below PostgreSQL's 100.
Measured on 2 cores it served more requests, with shorter waits, than 4 sync workers.

Then LOAD_USERS residents (200) work for LOAD_SECONDS (60): each opens a form's start
page, starts it, fills every page (POSTing the CSRF token read from the page; a third of
the vocational training forms attach a certificate), reaches the check page (which must
show the resident's own answers), submits, reads the receipt number on the done page —
and starts over. A share of them (LOAD_API_SHARE, 0.1) use an app instead, which reads
the form's definition from the JSON API and submits there (201). With no pause between
steps (LOAD_THINK_SECONDS, 0) every resident always has a request waiting: the server is
saturated and the latencies are mostly queueing.

LOAD_PLAN=xgov (`make load-1000`) runs the XGovFormBuilder project's own load plan instead
(its JMeter plan for the runner: 1,000 users ramped up over 60 s, one pass each, through the
pages) on the same set-up: LOAD_USERS 1,000 residents start one after the other, evenly
spread over LOAD_RAMP_SECONDS (60); each completes LOAD_PASSES (1) of the forms through the
pages (LOAD_API_SHARE 0), pausing 2–5 s (uniform, LOAD_THINK_SECONDS=2-5) before each step
it takes (opening the form, starting it, sending a page, submitting: LOAD_THINK_BEFORE
action; the page a redirect leads to is fetched at once, as a browser does), and stops.
No end of the run cuts a form; a resident whose form goes wrong does not start again. The
plan adds two criteria: every resident's form submitted (then stored, with its answers,
attachments and receipt, as below), and the p95 of the page requests within LOAD_P95_MS
(1,000 ms; a request that failed counts with the time it took, a timeout with 30 s). The queue may take up to LOAD_DRAIN_SECONDS 600 to drain (1,000 receipts).

Afterwards it waits (at most LOAD_DRAIN_SECONDS, 120) for the workers to finish every
job, then checks that every acknowledged submission has its row in PostgreSQL (with its
own answers, and its attachments) and that its receipt PDF is served (application/pdf,
from the endpoint the resident uses: the done page's link, or the API; a receipt is made
when first asked for: each is asked for once, the queue drains again, and those answered
202 are asked again after its Retry-After, for at most LOAD_DRAIN_SECONDS).

Writes bench/results/load.json (with the plan that ran, and its criteria) and prints a
table; exits 1 unless there was no 5xx, no connection error or timeout, no unexpected
status, no missing row, attachment or PDF, no job left undone, and the plan's criteria
were met. Configuration changed for the run: the rate limits are raised
(config.RATE_LIMITS: look-ups, sign-in, starting a form, pages with files, resume
look-ups, anonymous API submissions), since all the load comes from one address, and
JOB_PERIODIC is off (the daily and monthly jobs an empty database would get at once are
not the residents' load).

Settings (environment; a setting given wins over the plan's): LOAD_PLAN (loop | xgov),
LOAD_USERS, LOAD_SECONDS, LOAD_API_SHARE, LOAD_THINK_SECONDS (mean pause before each
request, 0 = none; or a range, "2-5"), LOAD_THINK_BEFORE (request | action),
LOAD_RAMP_SECONDS (0: all start within 2 s), LOAD_PASSES (0: over and over until
LOAD_SECONDS are over), LOAD_P95_MS (0: no limit), LOAD_DRAIN_SECONDS, LOAD_WEB_WORKERS (4),
LOAD_WORKER_CLASS (gthread), LOAD_THREADS (4), LOAD_RQ_WORKERS (2), LOAD_TIMEOUT
(seconds a request may take before it counts as an error, 30), TEST_DATABASE_URL,
TEST_REDIS_URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import RATE_LIMITS, TestConfig  # noqa: E402  (the tests' server addresses)

RESULTS = ROOT / "bench" / "results"


# A plan gives other defaults to the settings below; a setting in the environment wins.
# "loop" (the default): residents fill forms over and over for LOAD_SECONDS, no pause.
# "xgov": the XGovFormBuilder project's own load plan (its JMeter test plan for the runner:
# 1,000 users ramped up over 60 s, one pass each, through the pages): each resident starts
# at its moment of the ramp, pauses 2–5 s before each step, completes one form and stops.
PLANS: dict[str, dict[str, str]] = {
    "loop": {},
    "xgov": {
        "LOAD_USERS": "1000",
        "LOAD_RAMP_SECONDS": "60",
        "LOAD_PASSES": "1",
        "LOAD_THINK_SECONDS": "2-5",
        "LOAD_THINK_BEFORE": "action",
        "LOAD_API_SHARE": "0",
        "LOAD_P95_MS": "1000",
        "LOAD_DRAIN_SECONDS": "600",
        "LOAD_KEEPALIVE_SECONDS": "1",
    },
}
PLAN = os.environ.get("LOAD_PLAN") or "loop"
if PLAN not in PLANS:
    raise SystemExit(f"LOAD_PLAN={PLAN}: not one of {', '.join(PLANS)}")


def _setting(name: str) -> str | None:
    return os.environ.get(name) or PLANS[PLAN].get(name)


def _int(name: str, default: int) -> int:
    return int(_setting(name) or default)


def _float(name: str, default: float) -> float:
    return float(_setting(name) or default)


def _think(text: str) -> tuple[float, float]:
    """LOAD_THINK_SECONDS: "3" is a mean (uniform 0–6 s), "2-5" a range (uniform 2–5 s)."""
    low, dash, high = text.partition("-")
    if dash:
        return float(low), float(high)
    return 0.0, 2 * float(text)


USERS = _int("LOAD_USERS", 200)
SECONDS = _float("LOAD_SECONDS", 60)
API_SHARE = _float("LOAD_API_SHARE", 0.1)
THINK_TEXT = _setting("LOAD_THINK_SECONDS") or "0"
THINK_RANGE = _think(THINK_TEXT)  # seconds of pause before a step: uniform in this range
THINK = sum(THINK_RANGE) / 2  # the mean
# before which requests a resident pauses: every "request", or each "action" (opening the
# form, sending a page); the page a redirect leads to is then fetched at once, as a browser does
THINK_BEFORE = _setting("LOAD_THINK_BEFORE") or "request"
RAMP_SECONDS = _float("LOAD_RAMP_SECONDS", 0)  # 0: all start within the first 2 s
PASSES = _int("LOAD_PASSES", 0)  # forms each resident completes; 0: over and over until the end
P95_MS = _float("LOAD_P95_MS", 0)  # the page requests' p95 must stay within it; 0: no limit
DRAIN_SECONDS = _float("LOAD_DRAIN_SECONDS", 120)
# how long the residents keep an idle connection (0: aiohttp's own 15 s)
KEEPALIVE_SECONDS = _float("LOAD_KEEPALIVE_SECONDS", 0)
WEB_WORKERS = _int("LOAD_WEB_WORKERS", 4)
WORKER_CLASS = os.environ.get("LOAD_WORKER_CLASS") or "gthread"
THREADS = _int("LOAD_THREADS", 4)
RQ_WORKERS = _int("LOAD_RQ_WORKERS", 2)
TIMEOUT = _float("LOAD_TIMEOUT", 30)
# the rate limits for the run: every simulated resident comes from 127.0.0.1
RATE_LIMIT = "100000 per minute"

FORMS = ("information-disclosure", "vocational-training")
RUN_ID = f"{os.getpid()}_{secrets.token_hex(4)}"


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- what the residents answer --------------------------------------------------------------


def png() -> bytes:
    """A small valid PNG (a scan of a certificate, as far as the server can tell)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    width, height = 64, 32
    rows = b"".join(b"\x00" + bytes([200, 200, 200]) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = png()


def answers(form: str, n: int, upload: bool = False) -> dict:
    """Plausible answers in the API's JSON shape; the web flow posts the same values.
    With `upload`, the vocational training form takes the path with an attachment
    (`_files`: field id → (name, bytes), posted as multipart on its page)."""
    today = date.today()
    name = random.choice(
        [
            {"family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"},
            {"family": "鈴木", "given": "花子", "family_kana": "スズキ", "given_kana": "ハナコ"},
            {"family": "伊藤", "given": "健", "family_kana": "イトウ", "given_kana": "ケン"},
        ]
    )
    address = {
        "postal_code": "514-8570",
        "prefecture": "三重県",
        "city": "津市",
        "street": f"広明町{n % 50 + 1}番地",
        "building": "",
    }
    common = {
        "name": name,
        "address": address,
        "phone": f"059-224-{n % 10000:04d}",
        "email": f"resident{n}@example.jp",
    }
    if form == "information-disclosure":
        method = random.choice(["copy_online", "copy_mail"])
        out = {
            **common,
            "requester_type": "individual",
            "document_description": f"令和7年度 負荷試験事業の委託契約書 その{n}",
            "department": "somu",
            "receive_method": method,
            "understand_cost": True,
            "understand_partial": True,
        }
        if method == "copy_mail":
            out.update(copy_colour="mono", delivery_to="same")
        return out
    if form == "vocational-training":
        out = {
            **common,
            "birth_date": (today - timedelta(days=365 * 30 + n % 300)).isoformat(),
            "age": 30,
            "course": "web_design",
            "preferred_start": (today + timedelta(days=60)).isoformat(),
            "motivation": "Webデザインの技能を身に付け、県内の企業で働きたいと考えています。",
            "education": "high_school",
            "graduation": "graduated",
            "employment_status": "unemployed",
            "work_history": "2015年から2024年まで小売業で販売を担当。",
            "unemployment_insurance": "eligible",
            "hellowork": "tsu",
            "insured_number": "1234-567890-1",
            "attend_selection": True,
        }
        if upload:  # receiving benefit: the certificate is attached
            out.update(unemployment_insurance="receiving", benefit_days_left=90)
            out["_files"] = {"eligibility_certificate": ("受給資格者証.png", PNG)}
        return out
    raise ValueError(form)


def web_fields(value, field_id: str) -> list[tuple[str, str]]:
    """One answer as the HTML form posts it (name-family, birth_date-year, a checkbox's y)."""
    if isinstance(value, bool):
        return [(field_id, "y")] if value else []
    if isinstance(value, dict):
        return [(f"{field_id}-{k}", str(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [(field_id, str(v)) for v in value]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        y, m, d = value.split("-")
        return [
            (f"{field_id}-era", ""),
            (f"{field_id}-year", str(int(y))),
            (f"{field_id}-month", str(int(m))),
            (f"{field_id}-day", str(int(d))),
        ]
    return [(field_id, str(value))]


# --- measurements --------------------------------------------------------------------------


@dataclass
class Submission:
    channel: str  # web | api
    form: str
    receipt_no: str
    access_code: str
    resident: int
    email: str  # unique to this submission: the pages and the row must show this one
    files: int = 0  # attachments it must have


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    unexpected: Counter = field(default_factory=Counter)  # "step status" → count
    errors: Counter = field(default_factory=Counter)  # connection errors, timeouts
    failed_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    submissions: list[Submission] = field(default_factory=list)
    flows_started: int = 0
    flows_abandoned: int = 0  # stopped by the end of the run, between two steps
    residents_done: int = 0  # residents who stopped by themselves (their LOAD_PASSES)
    examples: list[str] = field(default_factory=list)
    started: float = 0.0
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (end s, ms)
    connections: list[int] = field(default_factory=list)  # to the run's database, each second

    def note(self, text: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(text)


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of milliseconds."""
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[k], 1)


class Unexpected(Exception):
    """A status or page the resident did not expect: the flow stops there."""


class RunOver(Exception):
    """The time is up: a resident stops between two steps."""


# --- the simulated residents ---------------------------------------------------------------

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RECEIPT = re.compile(r'class="receipt">([^<]+)<')


class Resident:
    def __init__(self, n: int, base: str, connector, stats: Stats, pages: dict, deadline: float):
        import aiohttp

        self.n = n
        self.base = base
        self.stats = stats
        self.pages = pages  # form → page id → field ids
        self.deadline = deadline
        self.session = aiohttp.ClientSession(
            base_url=base,
            connector=connector,
            connector_owner=False,
            timeout=aiohttp.ClientTimeout(total=TIMEOUT),
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # an IP address host
        )
        self.count = 0

    async def request(
        self, step: str, method: str, url: str, expect: int, action: bool = True, **kw
    ):
        """One request; `action` False: the page a redirect leads to (LOAD_THINK_BEFORE)."""
        import aiohttp

        if time.monotonic() >= self.deadline:
            raise RunOver  # no new request once the time is up
        if THINK and (action or THINK_BEFORE == "request"):
            await asyncio.sleep(random.uniform(*THINK_RANGE))
        start = time.perf_counter()
        try:
            async with self.session.request(method, url, allow_redirects=False, **kw) as r:
                body = await r.read()
                status = r.status
                headers = r.headers
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            ms = (time.perf_counter() - start) * 1000
            self.stats.errors[f"{step} {type(exc).__name__}"] += 1
            self.stats.failed_ms[step].append(ms)  # the time the resident waited for nothing
            self.stats.note(
                f"{step} {method} {url}: {type(exc).__name__} after {ms:.0f} ms {exc}".rstrip()
            )
            raise Unexpected from exc
        ms = (time.perf_counter() - start) * 1000
        self.stats.latencies[step].append(ms)
        self.stats.timeline.append((time.monotonic() - self.stats.started, ms))
        self.stats.statuses[status] += 1
        if status != expect:
            self.stats.unexpected[f"{step} {status}"] += 1
            text = body[:300].decode("utf-8", "replace").replace("\n", " ")
            self.stats.note(f"{step} {method} {url}: {status} (expected {expect}) {text}")
            raise Unexpected
        return body, headers

    def location(self, headers) -> str:
        loc = headers.get("Location", "")
        return loc.removeprefix(self.base)

    async def web(self, form: str) -> None:
        import aiohttp

        self.count += 1
        upload = (self.n + self.count) % 3 == 0  # a third of these forms carry a file
        data = answers(form, self.n * 10000 + self.count, upload=upload)
        files = data.pop("_files", {})
        html, _ = await self.request("start_page", "GET", f"/apply/{form}", 200)
        token = self.csrf(html)
        _, h = await self.request(
            "start", "POST", f"/apply/{form}/start", 302, data={"csrf_token": token}
        )
        url = self.location(h)
        while not url.endswith("/check"):
            page_id = url.rsplit("/", 1)[-1]
            if page_id not in self.pages[form]:
                self.fail("page_post unknown page", f"redirected to {url}")
            html, _ = await self.request("page_get", "GET", url, 200, action=False)
            post = [("csrf_token", self.csrf(html)), ("action", "next")]
            attached = []
            for fid in self.pages[form][page_id]:
                if fid in data:
                    post += web_fields(data[fid], fid)
                if fid in files:
                    attached.append((fid, *files[fid]))
            body = post
            if attached:  # multipart, as the browser sends a page with a file input
                body = aiohttp.FormData(post)
                for fid, filename, content in attached:
                    body.add_field(fid, content, filename=filename, content_type="image/png")
            _, h = await self.request(
                "page_post_file" if attached else "page_post", "POST", url, 302, data=body
            )
            url = self.location(h)
        html, _ = await self.request("check", "GET", url, 200, action=False)
        self.own_answers("check", html, data)
        _, h = await self.request(
            "submit",
            "POST",
            f"/apply/{form}/submit",
            302,
            data={"csrf_token": self.csrf(html), "declaration": "y"},
        )
        done = self.location(h)
        m = re.fullmatch(rf"/apply/{form}/done/([0-9A-Z-]+)", done)
        if m is None:
            self.fail("submit not done", f"submit redirected to {done}")
        # stored: the receipt number is in the answer (the PDF is checked with the session)
        sub = Submission("web", form, m.group(1), "", self.n, data["email"], len(files))
        self.stats.submissions.append(sub)
        html, _ = await self.request("done", "GET", done, 200, action=False)
        self.own_answers("done", html, data)
        found = [x.strip() for x in RECEIPT.findall(html.decode("utf-8"))]
        if len(found) < 2 or found[0] != sub.receipt_no:
            self.fail("done no receipt number", f"{done} does not show its receipt number")
        sub.access_code = found[1]

    async def api(self, form: str) -> None:
        """A resident's app: reads the form's definition to show it, then submits."""
        self.count += 1
        data = answers(form, self.n * 10000 + self.count)
        await self.request("api_form", "GET", f"/api/v1/forms/{form}", 200)
        body, _ = await self.request(
            "api_submit",
            "POST",
            f"/api/v1/forms/{form}/submissions",
            201,
            json={"answers": data, "lang": "ja", "declaration": True},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        answer = json.loads(body)
        self.stats.submissions.append(
            Submission(
                "api", form, answer["receipt_no"], answer["access_code"], self.n, data["email"]
            )
        )

    def own_answers(self, step: str, html: bytes, data: dict) -> None:
        """The check and done pages show this resident's answers, no one else's."""
        text = html.decode("utf-8")
        if data["email"] not in text or data["address"]["street"] not in text:
            self.fail(f"{step} wrong answers", f"{step}: the page does not show these answers")

    async def close(self) -> None:
        await self.session.close()

    def csrf(self, html: bytes) -> str:
        m = CSRF.search(html.decode("utf-8"))
        if m is None:
            self.fail("no CSRF token", "a page without a CSRF token")
        return m.group(1)

    def fail(self, what: str, note: str):
        """Something a resident would see as wrong: counted, and the flow stops."""
        self.stats.unexpected[what] += 1
        self.stats.note(note)
        raise Unexpected(what)

    async def run(self) -> None:
        # a fixed share of the residents use the API, the others the pages
        api_user = self.n < round(USERS * API_SHARE)
        while time.monotonic() < self.deadline:
            if PASSES and self.count >= PASSES:
                break  # one pass (LOAD_PASSES): done, or given up at its first problem
            form = FORMS[(self.n + self.count) % len(FORMS)]
            self.stats.flows_started += 1
            try:
                await (self.api(form) if api_user else self.web(form))
            except RunOver:
                self.stats.flows_abandoned += 1
                return
            except Unexpected:
                if not PASSES:
                    await asyncio.sleep(0.5)  # then start over, as a resident would
        self.stats.residents_done += 1


async def run_load(base: str, pages: dict, connections) -> tuple[Stats, list, float]:
    import aiohttp

    stats = Stats(started=time.monotonic())
    # an idle connection is given up before gunicorn's keep-alive (2 s) ends it: a request
    # sent on a connection the server is closing at that moment is reset (a browser would
    # send it again); with pauses of seconds between steps that race would count as errors
    keepalive = {"keepalive_timeout": KEEPALIVE_SECONDS} if KEEPALIVE_SECONDS else {}
    connector = aiohttp.TCPConnector(limit=0, force_close=False, **keepalive)
    start = time.monotonic()
    # with LOAD_PASSES each resident stops after its forms: no end of the run cuts them
    deadline = float("inf") if PASSES else start + SECONDS
    residents = [Resident(n, base, connector, stats, pages, deadline) for n in range(USERS)]

    async def staggered(r: Resident):
        if RAMP_SECONDS:  # the ramp: one resident after the other, evenly spread over it
            await asyncio.sleep(RAMP_SECONDS * r.n / USERS)
        else:
            await asyncio.sleep(random.uniform(0, min(2.0, SECONDS / 10)))  # not in one tick
        await r.run()

    progress = asyncio.create_task(report_progress(stats, start, deadline, connections))
    try:
        await asyncio.gather(*(staggered(r) for r in residents))
    except BaseException:  # interrupted: close the sessions here
        for c in [*residents, connector]:
            await c.close()
        raise
    finally:
        progress.cancel()
    elapsed = time.monotonic() - start
    return stats, residents + [connector], elapsed  # closed by the caller after the checks


async def report_progress(stats: Stats, start: float, deadline: float, connections) -> None:
    """Every second: the run's PostgreSQL connections; every 10 s: a line of progress."""
    tick = 0
    while True:
        await asyncio.sleep(1)
        with contextlib.suppress(Exception):
            stats.connections.append(await asyncio.to_thread(connections))
        tick += 1
        if tick % 10:
            continue
        n = sum(len(v) for v in stats.latencies.values())
        done = f", {stats.residents_done} residents done" if PASSES else ""
        log(
            f"{time.monotonic() - start:4.0f} s: {n} requests, {len(stats.submissions)} "
            f"submissions, {sum(stats.errors.values())} errors, "
            f"{sum(stats.unexpected.values())} unexpected{done}"
        )


# --- checks after the run ----------------------------------------------------------------


async def check_pdfs(
    base: str, residents: list, subs: list[Submission], stats: Stats, settle=None
) -> dict:
    """GET every receipt PDF as its resident would: the done page's link (web, same
    session) or the API with the access code. A receipt is made when first asked for
    (202 Retry-After until a worker has made it): each is asked for once, `settle` waits
    for the queue to make them, then those answered 202 are asked again, after each 202's
    Retry-After, for at most LOAD_DRAIN_SECONDS."""
    import aiohttp

    by_n = {r.n: r for r in residents if isinstance(r, Resident)}
    sem = asyncio.Semaphore(8)
    statuses = Counter()  # every answer, the 202s included
    timeout = aiohttp.ClientTimeout(total=TIMEOUT)
    start = time.monotonic()

    async def fetch(s: Submission) -> tuple[bool, float | None]:
        """→ (served, seconds to wait before asking again when it is being made)"""
        session = by_n[s.resident].session
        if s.channel == "web":
            url, headers = f"/apply/{s.form}/done/{s.receipt_no}/receipt.pdf", {}
        else:
            url = f"/api/v1/submissions/{s.receipt_no}/receipt.pdf"
            headers = {"X-Access-Code": s.access_code}
        async with sem:
            try:
                async with session.get(url, headers=headers, timeout=timeout) as r:
                    body = await r.read()
                    statuses[r.status] += 1
                    if r.status == 202:
                        return False, float(r.headers.get("Retry-After") or 5)
                    return (
                        r.status == 200
                        and r.headers.get("Content-Type", "").startswith("application/pdf")
                        and body.startswith(b"%PDF-")
                    ), None
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                statuses[type(exc).__name__] += 1
                return False, None

    first = await asyncio.gather(*(fetch(s) for s in subs))
    made = {s.receipt_no for s, (ok, _) in zip(subs, first, strict=True) if ok}
    waiting = [(s, w) for s, (_, w) in zip(subs, first, strict=True) if w is not None]
    made_after = None
    if waiting:
        if settle is not None:
            await settle()  # the workers make the receipts asked for
        made_after = round(time.monotonic() - start, 1)
        deadline = start + DRAIN_SECONDS

        async def again(s: Submission, wait: float) -> None:
            while True:
                ok, wait = await fetch(s)
                if ok:
                    made.add(s.receipt_no)
                if wait is None or time.monotonic() + wait > deadline:
                    return
                await asyncio.sleep(wait)

        await asyncio.gather(*(again(s, w) for s, w in waiting))
    missing = [s.receipt_no for s in subs if s.receipt_no not in made]
    if missing:
        stats.note(f"receipt PDFs not served: {missing[:5]}")
    return {
        "missing": missing,
        "statuses": {str(k): v for k, v in statuses.items()},
        "asked_again": len(waiting),  # made when first asked for (202)
        "seconds": round(time.monotonic() - start, 1),
        "made_after_seconds": made_after,  # the queue drained again (receipts made)
    }


def check_rows(db_url: str, subs: list[Submission], uploads: Path) -> dict:
    """Every acknowledged submission has its row (with its own answers) and its
    attachments (rows and files of the right size); every job is done."""
    import psycopg

    with psycopg.connect(db_url) as conn:
        files: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for receipt_no, path, size in conn.execute(
            "SELECT s.receipt_no, f.path, f.size FROM stored_files f"
            " JOIN submissions s ON s.id = f.submission_id"
        ):
            files[receipt_no].append((path, size))
        rows = {
            r[0]: (r[1], r[2])
            for r in conn.execute(
                "SELECT receipt_no, access_code, answers->>'email' FROM submissions"
            )
        }
        jobs = dict(conn.execute("SELECT state, count(*) FROM outbox_jobs GROUP BY state"))
        failed = [
            r[0]
            for r in conn.execute(
                "SELECT key || ': ' || coalesce(last_error, '') FROM outbox_jobs"
                " WHERE state <> 'done' LIMIT 5"
            )
        ]
    missing = [
        s.receipt_no
        for s in subs
        if s.receipt_no not in rows
        or (s.access_code and rows[s.receipt_no][0] != s.access_code)
        or rows[s.receipt_no][1] != s.email  # another resident's answers under this number
    ]
    missing_files = [
        s.receipt_no
        for s in subs
        if s.files
        and (
            len(files[s.receipt_no]) != s.files
            or any(
                not (uploads / path).is_file() or (uploads / path).stat().st_size != size
                for path, size in files[s.receipt_no]
            )
        )
    ]
    acknowledged = {s.receipt_no for s in subs}
    return {
        "missing": missing,
        "missing_files": missing_files,
        "with_files": sum(1 for s in subs if s.files),
        "in_database": len(rows),
        "unacknowledged": len(set(rows) - acknowledged),  # stored, but the answer was lost
        "jobs": jobs,
        "jobs_not_done": failed,
    }


async def drain(db_url: str, limit: float) -> tuple[float, bool, dict]:
    """Wait until no outbox job is pending, queued or running → (seconds, drained, counts)."""
    import psycopg

    start = time.monotonic()
    with psycopg.connect(db_url, autocommit=True) as conn:
        while True:
            counts = dict(conn.execute("SELECT state, count(*) FROM outbox_jobs GROUP BY state"))
            busy = sum(counts.get(s, 0) for s in ("pending", "queued", "running"))
            if busy == 0:
                return time.monotonic() - start, True, counts
            if time.monotonic() - start > limit:
                return time.monotonic() - start, False, counts
            await asyncio.sleep(0.5)


# --- the servers ---------------------------------------------------------------------------


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGTERM if this script dies without cleaning up."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Run:
    """Everything made for the run, removed again by `close()`."""

    def __init__(
        self,
        *,
        web_workers: int = WEB_WORKERS,
        worker_class: str = WORKER_CLASS,
        threads: int = THREADS,
        rq_workers: int = RQ_WORKERS,
        gunicorn_conf: str | None = None,
        env: dict | None = None,
        forms: tuple[str, ...] = (),
    ) -> None:
        """The defaults are `make load`'s; other benchmarks (bench/over_http.py) choose their
        own: `gunicorn_conf` (-c), `env` (added to the servers' environment), `forms`
        (YAML texts, written to the run's folder and loaded with `flask forms load`)."""
        from sqlalchemy.engine import make_url

        self.web_workers = web_workers
        self.worker_class = worker_class
        self.threads = threads
        self.rq_workers = rq_workers
        self.gunicorn_conf = gunicorn_conf
        self.extra_env = dict(env or {})
        self.forms = forms

        self.tmp = Path(tempfile.mkdtemp(prefix="tetsuzuki-load-"))
        self.instance = self.tmp / "instance"
        self.admin = make_url(TestConfig.TEST_DATABASE_URL)
        self.db_name = f"tetsuzuki_load_{RUN_ID}"
        self.db_created = False
        self.prefix = f"tetsuzuki_load_{RUN_ID}:"
        self.redis_url: str | None = None
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.app_spec = f"app:create_app(instance_path={str(self.instance)!r})"

    # databases
    def libpq(self, database: str | None = None) -> str:
        url = self.admin.set(drivername="postgresql")
        if database:
            url = url.set(database=database)
        return url.render_as_string(hide_password=False)

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(self.libpq(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        self.db_created = True

    def choose_redis(self) -> None:
        """An empty database number (from the top), so that RQ's own keys stay apart too."""
        from redis import Redis

        base = TestConfig.TEST_REDIS_URL
        probe = Redis.from_url(base, socket_connect_timeout=3)
        probe.ping()
        count = int(probe.config_get("databases").get("databases", 16))
        probe.close()
        chosen = None
        for number in range(count - 1, 0, -1):
            r = Redis.from_url(base, db=number, socket_connect_timeout=3)
            empty = r.dbsize() == 0
            r.close()
            if empty:
                chosen = number
                break
        url = base.rsplit("/", 1)[0] if re.search(r"/\d+$", base) else base.rstrip("/")
        self.redis_url = f"{url}/{chosen if chosen is not None else 0}"

    def env(self) -> dict:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.admin.set(database=self.db_name).render_as_string(
                hide_password=False
            ),
            REDIS_URL=self.redis_url or "",
            REDIS_KEY_PREFIX=self.prefix,
            SECRET_KEY=secrets.token_hex(32),
            BASE_URL=self.base,
            **{name: RATE_LIMIT for name in RATE_LIMITS},
            # the daily and monthly jobs would otherwise be written on the first sweep of an
            # empty database; they are not part of the residents' load
            JOB_PERIODIC="false",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        for name in ("FLASK_APP", "UPLOAD_DIR", "DOCUMENT_DIR", "MAIL_URL", "WEBHOOK_SECRET"):
            env.pop(name, None)  # the instance folder of the run holds every file
        return env

    def flask(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "flask", "--app", self.app_spec, *args]

    def gunicorn_cmd(self) -> list[str]:
        cmd = [sys.executable, "-m", "gunicorn"]
        if self.gunicorn_conf:
            cmd += ["-c", self.gunicorn_conf]
        cmd += ["--workers", str(self.web_workers)]
        cmd += ["--worker-class", self.worker_class]
        if self.worker_class == "gthread":
            cmd += ["--threads", str(self.threads)]
        cmd += ["--bind", f"127.0.0.1:{self.port}"]
        import gunicorn

        if gunicorn.version_info >= (25, 1):  # its control socket: one file in the home folder
            cmd.append("--no-control-socket")
        cmd += ["--error-logfile", str(self.tmp / "gunicorn.log")]
        cmd.append(self.app_spec)
        return cmd

    def setup(self) -> None:
        self.create_database()
        self.choose_redis()
        env = self.env()
        steps: list[tuple[str, ...]] = [("db", "upgrade"), ("demo",)]
        for i, text in enumerate(self.forms):
            path = self.tmp / f"form-{i + 1}.yaml"
            path.write_text(text, encoding="utf-8")
            steps.append(("forms", "load", str(path)))
        for args in steps:
            done = subprocess.run(
                self.flask(*args), cwd=ROOT, env=env, capture_output=True, text=True
            )
            if done.returncode != 0:
                raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        self.start("gunicorn", self.gunicorn_cmd(), env)
        for i in range(self.rq_workers):
            name = f"{self.prefix.rstrip(':')}-worker-{i + 1}"
            self.start(f"rq-worker-{i + 1}", self.flask("worker", "--name", name), env)
        self.wait_ready()

    def start(self, name: str, cmd: list[str], env: dict) -> None:
        out = open(self.tmp / f"{name}.out", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches this script, which stops them in order
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        out.close()
        self.procs.append((name, proc))

    def wait_ready(self, limit: float = 60) -> None:
        import urllib.request

        from redis import Redis
        from rq import Queue, Worker

        start = time.monotonic()
        conn = Redis.from_url(self.redis_url)
        queue = Queue(self.prefix + "default", connection=conn)
        web = workers = False
        while time.monotonic() - start < limit:
            for name, proc in self.procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.tail(name)}")
            if not web:
                with (
                    contextlib.suppress(OSError, ValueError),
                    urllib.request.urlopen(self.base + "/healthz", timeout=2) as r,
                ):
                    body = json.loads(r.read())
                    # "queue": the mode ("rq") when Redis answers, "down" when not
                    web = body.get("database") == "ok" and body.get("queue") in ("ok", "rq")
            workers = Worker.count(connection=conn, queue=queue) >= self.rq_workers
            if web and workers:
                conn.close()
                return
            time.sleep(0.3)
        conn.close()
        raise RuntimeError(f"not ready after {limit:.0f} s (web {web}, workers {workers})")

    def print_tails(self, lines: int = 15) -> None:
        """The last lines each process logged, after a failure."""
        for name, _proc in self.procs:
            tail = self.tail(name, lines)
            if tail:
                print(f"--- {name} ---\n{tail}")

    def tail(self, name: str, lines: int = 40) -> str:
        parts = []
        for path in (self.tmp / f"{name}.out", self.tmp / f"{name}.log"):
            if path.exists():
                parts += path.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(parts)

    def server_errors(self) -> list[str]:
        """Tracebacks and worker timeouts that the servers logged."""
        found = []
        for path in sorted(self.tmp.glob("*.out")) + sorted(self.tmp.glob("*.log")):
            for line in path.read_text(errors="replace").splitlines():
                if re.search(r"Traceback|WORKER TIMEOUT|\bERROR\b|CRITICAL|Exception", line):
                    found.append(f"{path.stem}: {line.strip()[:200]}")
        return found

    def keep_logs(self) -> None:
        """Copy the servers' logs next to the results (bench/results is not committed)."""
        folder = RESULTS / "load-logs"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        for path in list(self.tmp.glob("*.out")) + list(self.tmp.glob("*.log")):
            shutil.copy(path, folder / path.name)

    def stop_processes(self) -> None:
        # gunicorn first (no new submissions), then the workers (they finish their job)
        for _name, proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _name, proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        # anything left in their process groups (gunicorn's workers after a kill)
        for _name, proc in self.procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by the web server, the RQ workers, the run's PostgreSQL
        backends and this script (the simulated residents). Linux /proc; else empty."""
        import psycopg

        if not Path("/proc/self/stat").exists():
            return {}
        tick = os.sysconf("SC_CLK_TCK")
        groups: dict[int, str] = {
            proc.pid: "web" if name == "gunicorn" else "rq" for name, proc in self.procs
        }
        out = {"web": 0.0, "rq": 0.0, "postgres": 0.0}
        with contextlib.suppress(Exception), psycopg.connect(self.libpq(), autocommit=True) as c:
            backends = {
                r[0]
                for r in c.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.db_name,)
                )
            }
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue
            pid = int(stat.parent.name)
            fields = text[text.rindex(")") + 2 :].split()
            used = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
            if int(fields[2]) in groups:  # process group
                out[groups[int(fields[2])]] += used
            elif pid in backends:
                out["postgres"] += used
        t = os.times()
        out["load_client"] = t.user + t.system
        return out

    def connections(self) -> int:
        """Connections to the run's database now (web workers, RQ workers, this script)."""
        import psycopg

        with psycopg.connect(self.libpq(), autocommit=True, connect_timeout=3) as c:
            return c.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (self.db_name,)
            ).fetchone()[0]

    def drop_database(self) -> None:
        import psycopg

        if self.db_created:
            with psycopg.connect(self.libpq(), autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            self.db_created = False

    def clean_redis(self) -> int:
        """The run's keys: the prefix (queue, limits), RQ's job ids (the prefix made to
        fit) and the workers' keys (named after the prefix)."""
        from redis import Redis

        if not self.redis_url:
            return 0
        conn = Redis.from_url(self.redis_url, socket_connect_timeout=3)
        stem = self.prefix.rstrip(":")
        removed = 0
        for key in list(conn.scan_iter(match=f"*{stem}*", count=1000)):
            removed += conn.delete(key)
        for key in ("rq:queues", "rq:workers", f"rq:workers:{self.prefix}default"):
            for member in conn.smembers(key):
                if stem.encode() in member:
                    conn.srem(key, member)
        conn.close()
        return removed

    def close(self) -> None:
        steps = (
            ("stop processes", self.stop_processes),
            ("drop database", self.drop_database),
            ("clean Redis", self.clean_redis),
            ("remove files", lambda: shutil.rmtree(self.tmp, ignore_errors=True)),
        )
        for what, step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - go on with the rest of the clean-up
                log(f"clean-up: {what} failed: {exc}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def form_pages(base: str) -> dict:
    """form → page id → field ids, from the API's definition of each form."""
    import urllib.request

    out = {}
    for form in FORMS:
        with urllib.request.urlopen(f"{base}/api/v1/forms/{form}", timeout=10) as r:
            defn = json.loads(r.read())["definition"]
        out[form] = {p["id"]: [f["id"] for f in p["fields"]] for p in defn["pages"]}
    return out


# --- report ---------------------------------------------------------------------------------


def versions(run: Run) -> dict:
    import psycopg
    from redis import Redis

    out = {}
    with contextlib.suppress(Exception), psycopg.connect(run.libpq(), connect_timeout=3) as c:
        out["postgresql"] = c.execute("SHOW server_version").fetchone()[0]
        out["postgresql_max_connections"] = int(c.execute("SHOW max_connections").fetchone()[0])
    with contextlib.suppress(Exception):
        out["redis"] = Redis.from_url(run.redis_url).info("server")["redis_version"]
    return out


def idle_seconds() -> float | None:
    """CPU seconds the whole machine has been idle (all cores, /proc/stat); None elsewhere."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    return (int(fields[4]) + int(fields[5])) / os.sysconf("SC_CLK_TCK")  # idle + iowait


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine(run: Run, checks: dict) -> dict:
    """Where it ran; the load averages show whether others shared the machine."""
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "system": platform.platform(),
        "load_average_before": checks["load_average_before"],
        "load_average_at_end": checks["load_average_at_end"],
        **versions(run),
    }


def timeline(stats: Stats, bucket: float = 10) -> list[dict]:
    """Requests, p50 and max by period of the run: a stall shows as a gap."""
    buckets: dict[int, list[float]] = defaultdict(list)
    for at, ms in stats.timeline:
        buckets[int(at // bucket)].append(ms)
    return [
        {
            "from_s": int(k * bucket),
            "requests": len(v),
            "p50_ms": percentile(v, 50),
            "p99_ms": percentile(v, 99),
            "max_ms": round(max(v), 1),
        }
        for k, v in sorted(buckets.items())
    ]


def report(run: Run, stats: Stats, elapsed: float, checks: dict) -> dict:
    all_ms = [ms for values in stats.latencies.values() for ms in values]
    requests = len(all_ms)
    errors_5xx = sum(n for status, n in stats.statuses.items() if status >= 500)
    steps = {
        step: {
            "requests": len(values),
            "p50_ms": percentile(values, 50),
            "p95_ms": percentile(values, 95),
            "p99_ms": percentile(values, 99),
            "max_ms": round(max(values), 1),
        }
        for step, values in sorted(stats.latencies.items())
    }
    subs = stats.submissions
    # the plan's own criteria, beside the checks every run makes; the page requests' times
    # count those that failed (a timeout at its 30 s) as well as the answered ones
    waited = defaultdict(list)
    for source in (stats.latencies, stats.failed_ms):
        for step, values in source.items():
            waited[step] += values
    page_ms = [
        ms for step, values in waited.items() if not step.startswith("api_") for ms in values
    ]
    page_p95 = percentile(page_ms, 95)
    criteria = {}
    if PASSES:  # every resident's forms stored (the checks below: with answers and receipt)
        expected = USERS * PASSES
        criteria["submissions"] = {
            "expected": expected,
            "acknowledged": len(subs),
            "met": len(subs) == expected,
        }
    if P95_MS:
        criteria["page_p95_ms"] = {
            "limit": P95_MS,
            "measured": page_p95,
            "met": page_p95 is not None and page_p95 <= P95_MS,
            # which requests were slow: per step, how many took longer than the limit
            "over_limit_by_step": {
                step: sum(1 for ms in values if ms > P95_MS)
                for step, values in sorted(waited.items())
                if any(ms > P95_MS for ms in values)
            },
        }
    meets = (
        requests > 0
        and len(subs) > 0
        and errors_5xx == 0
        and not stats.errors
        and not stats.unexpected
        and not checks["rows"]["missing"]
        and not checks["rows"]["missing_files"]
        and not checks["pdfs"]["missing"]
        and checks["drained"]
        and not checks["rows"]["jobs_not_done"]
        and all(c["met"] for c in criteria.values())
    )
    instance = "<instance>"
    return {
        "name": "load",
        "plan": PLAN,
        "users": USERS,
        "seconds": None if PASSES else SECONDS,
        "ramp_seconds": RAMP_SECONDS,
        "passes": PASSES or None,
        "elapsed_seconds": round(elapsed, 1),
        "think_seconds": THINK,
        "think_range_seconds": list(THINK_RANGE),
        "think_before": THINK_BEFORE,
        "api_share": API_SHARE,
        "forms": list(FORMS),
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1) if elapsed else None,
        "submissions": len(subs),
        "submissions_by_channel": dict(Counter(s.channel for s in subs)),
        "submissions_per_second": round(len(subs) / elapsed, 2) if elapsed else None,
        "flows_started": stats.flows_started,
        "flows_cut_by_end": stats.flows_abandoned,
        "residents_done": stats.residents_done,
        "status_counts": {str(k): v for k, v in sorted(stats.statuses.items())},
        "unexpected": dict(stats.unexpected),
        "connection_errors": dict(stats.errors),
        "p50_ms": percentile(all_ms, 50),
        "p95_ms": percentile(all_ms, 95),
        "p99_ms": percentile(all_ms, 99),
        "max_ms": round(max(all_ms), 1) if all_ms else None,
        "page_p95_ms": page_p95,
        "criteria": criteria,
        "steps": steps,
        "timeline": timeline(stats),
        "cpu_seconds_during_load": checks["cpu"],
        "postgres_connections_max": max(stats.connections, default=None),
        "errors_5xx": errors_5xx,
        "drain_seconds": round(checks["drain_seconds"], 1),
        "drained": checks["drained"],
        "jobs": checks["rows"]["jobs"],
        "jobs_not_done": checks["rows"]["jobs_not_done"],
        "rows_in_database": checks["rows"]["in_database"],
        "rows_unacknowledged": checks["rows"]["unacknowledged"],
        "missing_rows": len(checks["rows"]["missing"]),
        "missing_pdfs": len(checks["pdfs"]["missing"]),
        "submissions_with_files": checks["rows"]["with_files"],
        "missing_files": len(checks["rows"]["missing_files"]),
        "pdf_check_statuses": checks["pdfs"]["statuses"],
        "pdf_check_seconds": checks["pdfs"]["seconds"],
        "pdf_made_on_request": checks["pdfs"]["asked_again"],
        "pdf_made_within_seconds": checks["pdfs"]["made_after_seconds"],
        "server_log_errors": checks["server_errors"][:20],
        "examples": stats.examples,
        "meets": bool(meets),
        "server": {
            "gunicorn": " ".join(run.gunicorn_cmd()[2:]).replace(str(run.tmp), "<tmp>"),
            "rq_workers": RQ_WORKERS,
            "rq_worker": f"flask --app app worker  (×{RQ_WORKERS})",
            "app": run.app_spec.replace(str(run.instance), instance),
            "rate_limits": f"{', '.join(RATE_LIMITS)} = {RATE_LIMIT} (one client address)",
            "job_periodic": False,
        },
        "machine": machine(run, checks),
    }


def print_table(r: dict) -> None:
    print()
    low, high = r["think_range_seconds"]
    pause = f"pause {low:g}–{high:g} s before each {r['think_before']}" if high else "no pause"
    if r["passes"]:
        length = f"ramped up over {r['ramp_seconds']:g} s, {r['passes']} form(s) each"
    else:
        length = f"for {r['seconds']:.0f} s"
    print(
        f"load, plan {r['plan']}: {r['users']} residents {length} "
        f"({r['api_share']:.0%} through the API, {pause}); "
        f"gunicorn {WEB_WORKERS} × {WORKER_CLASS}"
        + (f"/{THREADS} threads" if WORKER_CLASS == "gthread" else "")
        + f", {r['server']['rq_workers']} RQ workers"
    )
    print(f"rate limits for the run: {r['server']['rate_limits']}")
    m = r["machine"]
    print(
        f"machine: {m['cpus']} CPUs, load average {m['load_average_before'][0]} before the "
        f"load (others may share the machine), {m['load_average_at_end'][0]} at its end"
    )
    print()
    print(f"{'step':<12} {'requests':>9} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'max ms':>9}")
    for step, s in r["steps"].items():
        print(
            f"{step:<12} {s['requests']:>9} {s['p50_ms']:>9} {s['p95_ms']:>9} "
            f"{s['p99_ms']:>9} {s['max_ms']:>9}"
        )
    print(
        f"{'all':<12} {r['requests']:>9} {r['p50_ms']!s:>9} {r['p95_ms']!s:>9} "
        f"{r['p99_ms']!s:>9} {r['max_ms']!s:>9}"
    )
    print()
    print(f"throughput      {r['requests_per_second']} requests/s")
    print(
        f"submissions     {r['submissions']} ({r['submissions_per_second']}/s; "
        f"{r['submissions_by_channel']}), {r['flows_cut_by_end']} forms cut by the end"
    )
    print(f"statuses        {r['status_counts']}")
    print(
        f"PostgreSQL      at most {r['postgres_connections_max']} connections to the run's database"
    )
    cpu = r["cpu_seconds_during_load"]
    if cpu:
        print(
            "CPU seconds     "
            + ", ".join(f"{k} {v}" for k, v in cpu.items() if k != "capacity").replace("_", " ")
            + f" (of {cpu['capacity']} available)"
        )
    print(f"5xx             {r['errors_5xx']}")
    print(f"conn. errors    {r['connection_errors'] or 0}")
    print(f"unexpected      {r['unexpected'] or 0}")
    print(
        f"queue drained   {'yes' if r['drained'] else 'NO'} in {r['drain_seconds']} s; jobs {r['jobs']}"
    )
    print(
        f"stored rows     {r['rows_in_database']} in the database, {r['missing_rows']} missing, "
        f"{r['rows_unacknowledged']} stored without an answer reaching the resident"
    )
    print(
        f"receipt PDFs    {r['missing_pdfs']} missing; checks {r['pdf_check_statuses']} "
        f"in {r['pdf_check_seconds']} s ({r['pdf_made_on_request']} made when first asked for)"
    )
    print(
        f"attachments     {r['submissions_with_files']} submissions with a file, "
        f"{r['missing_files']} of them missing it"
    )
    for line in r["server_log_errors"][:10]:
        print(f"server log      {line}")
    for line in r["examples"][:10]:
        print(f"example         {line}")
    for name, c in r["criteria"].items():
        if name == "submissions":
            print(
                f"criterion       {c['acknowledged']} of {c['expected']} forms submitted: "
                f"{'met' if c['met'] else 'NOT met'}"
            )
        elif name == "page_p95_ms":
            print(
                f"criterion       page requests' p95 {c['measured']} ms, limit {c['limit']:g} ms: "
                f"{'met' if c['met'] else 'NOT met'}"
                + (f"; longer than the limit: {c['over_limit_by_step']}" if not c["met"] else "")
            )
    print(f"meets           {'yes' if r['meets'] else 'NO'}")


# --- main -----------------------------------------------------------------------------------


def _terminate(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


async def load_and_check(run: Run) -> dict:
    pages = form_pages(run.base)
    length = f"ramped over {RAMP_SECONDS:g} s, {PASSES} pass(es)" if PASSES else f"{SECONDS:.0f} s"
    log(
        f"plan {PLAN}: {USERS} residents, {length}, against {run.base} "
        f"(rate limits raised for the run: {RATE_LIMIT})"
    )
    load_before = load_average()
    idle_before = idle_seconds()
    cpu_before = run.cpu()
    stats, closables, elapsed = await run_load(run.base, pages, run.connections)
    cpu_after = run.cpu()
    idle_after = idle_seconds()
    cpu = {k: round(cpu_after[k] - cpu_before.get(k, 0.0), 1) for k in cpu_after}
    if cpu:
        cpu["capacity"] = round(elapsed * (os.cpu_count() or 1), 1)
        # other sessions' processes, or idle: the machine may be shared
        cpu["other_or_idle"] = round(
            cpu["capacity"] - sum(cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after), 1
        )
        if idle_before is not None and idle_after is not None:  # of which the machine idle
            cpu["idle"] = round(idle_after - idle_before, 1)
    load_at_end = load_average()
    try:
        log(f"load done: {len(stats.submissions)} submissions; waiting for the queue to drain")
        db_url = run.libpq(run.db_name)
        seconds, drained, _ = await drain(db_url, DRAIN_SECONDS)
        log(f"queue {'drained' if drained else 'NOT drained'} after {seconds:.1f} s; checking")
        rows = check_rows(db_url, stats.submissions, run.instance / "uploads")
        pdfs = await check_pdfs(
            run.base,
            closables,
            stats.submissions,
            stats,
            settle=lambda: drain(db_url, DRAIN_SECONDS),
        )
    finally:
        for c in closables:
            await c.close()
    checks = {
        "drain_seconds": seconds,
        "drained": drained,
        "rows": rows,
        "pdfs": pdfs,
        "server_errors": run.server_errors(),
        "cpu": cpu,
        "load_average_before": load_before,
        "load_average_at_end": load_at_end,
    }
    return report(run, stats, elapsed, checks)


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    run = Run()
    result = None
    try:
        log(f"setting up: database {run.db_name}, Redis prefix {run.prefix}")
        run.setup()
        log(f"ready: {' '.join(run.gunicorn_cmd()[2:-1])} ; {RQ_WORKERS} RQ workers")
        result = asyncio.run(load_and_check(run))
        run.keep_logs()
    except KeyboardInterrupt:
        log("interrupted: stopping everything")
        return 130
    except Exception as exc:  # noqa: BLE001 - report, clean up, fail
        log(f"failed: {exc}")
        run.print_tails()
        failed = {
            "name": "load",
            "plan": PLAN,
            "users": USERS,
            "seconds": SECONDS,
            "meets": False,
            "error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "load.json").write_text(json.dumps(failed, indent=2) + "\n")
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the clean-up finish
        log("cleaning up")
        run.close()
        signal.signal(signal.SIGINT, signal.default_int_handler)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print_table(result)
    return 0 if result["meets"] else 1


if __name__ == "__main__":
    sys.exit(main())
