"""`make bench`: seed (or reuse) the national-scale dataset, serve it with gunicorn, measure.

Every page is measured with the same closed-loop client at the same concurrency, right after
`/healthz` in the same run, and reported as a ratio to `/healthz` (see bench/README.md for why
ratios and what the targets are). Results go to bench/results.json.

    .venv/bin/python bench/run.py [--scale 1.0] [--duration 5] [--concurrency 8]
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python bench/run.py
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
CSRF_RE = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
CSRF_RE_ALT = re.compile(rb'value="([^"]+)"[^>]*name="csrf_token"')

#: name → (class, minimum ratio to /healthz).
TARGETS = {
    "public_workshop": ("public page", 0.30),
    "public_register_post": ("registration POST", 0.20),
    "participant_list": ("signed-in page", 0.20),
    "outcomes": ("signed-in page", 0.20),
    "commitments_filtered": ("signed-in page", 0.20),
    "dashboard_kabkota": ("signed-in page", 0.20),
    "api_list": ("signed-in page", 0.20),
    "dashboard_national": ("national dashboard", 0.15),
}
EXPORT_GROWTH_LIMIT_MB = 150


# --- A lean closed-loop HTTP client ------------------------------------------------------------
# gunicorn's sync workers close the connection after every response (they are meant to sit
# behind a buffering proxy), so each request is: connect, send, read to EOF. Raw sockets keep the
# client's own CPU cost far below the server's, which matters with both on the same cores.


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)


def request(port: int, method: str, path: str, *, headers: dict[str, str] | None = None,
            body: bytes = b"", timeout: float = 120.0) -> Response:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close",
             "Accept-Language: id"]
    for key, value in (headers or {}).items():
        lines.append(f"{key}: {value}")
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    return parse_response(b"".join(chunks))


def parse_response(data: bytes) -> Response:
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers, cookies = {}, {}
    for line in header_lines:
        key, _, value = line.partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
        headers[key] = value
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = dechunk(body)
    return Response(int(status_line.split()[1]), headers, body, cookies)


def dechunk(body: bytes) -> bytes:
    out, pos = [], 0
    while True:
        end = body.index(b"\r\n", pos)
        size = int(body[pos:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(body[end + 2:end + 2 + size])
        pos = end + 2 + size + 2


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def csrf_token(html: bytes) -> str:
    match = CSRF_RE.search(html) or CSRF_RE_ALT.search(html)
    if not match:
        raise RuntimeError("no csrf_token in the form")
    return match.group(1).decode()


def form_post(port: int, path: str, fields: dict[str, str], cookies: dict[str, str]) -> Response:
    body = urllib.parse.urlencode(fields).encode()
    return request(port, "POST", path, body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie_header(cookies)})


def login(port: int, email: str, password: str) -> dict[str, str]:
    """Sign in through the real login form (CSRF token included); returns the session cookies."""
    page = request(port, "GET", "/login")
    cookies = dict(page.cookies)
    reply = form_post(port, "/login", {"email": email, "password": password,
                                       "csrf_token": csrf_token(page.body)}, cookies)
    if reply.status != 302 or not reply.cookies:
        raise RuntimeError(f"login as {email} failed: HTTP {reply.status}")
    cookies.update(reply.cookies)
    return cookies


# --- Load ------------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    #: Called once per client thread; returns a function doing one request → (ok, latency_s).
    make_worker: object
    note: str = ""


@dataclass
class Measurement:
    name: str
    rps: float
    p50_ms: float
    p95_ms: float
    errors: int
    requests: int
    queries: str = ""
    baseline_rps: float = 0.0


def get_worker(port: int, path: str, cookies: dict[str, str] | None = None,
               headers: dict[str, str] | None = None, expect: int = 200):
    all_headers = dict(headers or {})
    if cookies:
        all_headers["Cookie"] = cookie_header(cookies)

    def make(_thread: int):
        def once():
            started = time.perf_counter()
            reply = request(port, "GET", path, headers=all_headers)
            return reply.status == expect, time.perf_counter() - started
        return once
    return make


def register_worker(port: int, codes: list[str]):
    """Each thread fetches the form once (one session, one CSRF token), then posts a new person
    per request, always sending the session it started with."""
    run = secrets.token_hex(3)

    def make(thread: int):
        code = codes[thread % len(codes)]
        page = request(port, "GET", f"/w/{code}/register")
        cookies, token = dict(page.cookies), csrf_token(page.body)
        counter = [0]

        def once():
            counter[0] += 1
            n = thread * 1_000_000 + counter[0]
            fields = {"csrf_token": token, "name": f"Peserta Uji {run} {n}",
                      "organisation": f"Komunitas Uji {thread}", "sector": "masyarakat",
                      "position": "Anggota", "phone": f"0812{(n * 7919) % 10**8:08d}",
                      "email": f"uji-{run}-{n}@bench.example", "gender": "P", "consent": "y",
                      "website": ""}
            started = time.perf_counter()
            reply = form_post(port, f"/w/{code}/register", fields, cookies)
            return reply.status == 302, time.perf_counter() - started
        return once
    return make


def drive(scenario: Scenario, concurrency: int, warmup: float, duration: float,
          min_samples: int = 10, max_duration: float = 60.0) -> Measurement:
    """Closed loop: `concurrency` threads, each sending its next request when the last returned.
    Counts the requests that complete inside the measured window; a page so slow that fewer than
    `min_samples` complete in `duration` is measured for longer (up to `max_duration`)."""
    workers = [scenario.make_worker(i) for i in range(concurrency)]
    done: list[list[tuple[float, float, bool]]] = [[] for _ in range(concurrency)]
    start = time.perf_counter() + warmup
    window = {"stop": start + duration}

    def loop(i: int):
        once = workers[i]
        while time.perf_counter() < window["stop"]:
            try:
                ok, latency = once()
            except OSError:
                ok, latency = False, 0.0
            done[i].append((time.perf_counter(), latency, ok))

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    while True:
        time.sleep(0.05)
        now = time.perf_counter()
        if now < window["stop"]:
            continue
        measured = sum(1 for per in done for end, _, _ in per if end >= start)
        if measured < min_samples and now - start < max_duration:
            window["stop"] = now + 1.0
            continue
        break
    stop = window["stop"]
    for t in threads:
        t.join()
    inside = [(latency, ok) for per in done for end, latency, ok in per if start <= end <= stop]
    samples = sorted(latency for latency, _ in inside)
    errors = sum(1 for _, ok in inside if not ok)
    seconds = stop - start
    if not samples:
        return Measurement(scenario.name, 0.0, 0.0, 0.0, errors, 0)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return Measurement(scenario.name, len(samples) / seconds, statistics.median(samples) * 1000,
                       p95 * 1000, errors, len(samples))


# --- Dataset and server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "flask"), "--app", "bench.wsgi:app", *args], cwd=ROOT, env=env,
                          check=True, capture_output=True, text=True)


def prepare_dataset(args, env: dict) -> tuple[str, dict]:
    """The database URL to serve and the seed report; seeds only when no matching one exists."""
    key = f"scale{args.scale:g}-seed{args.seed}"
    pg_url = os.environ.get("DATABASE_URL")
    if pg_url:
        report_path = BENCH / f"dataset-postgresql-{key}.json"
        env = {**env, "BENCH_DATABASE_URL": pg_url}
        flask(env, "db", "upgrade")
        if not report_path.exists() or args.reseed:
            print(f"Seeding {key} into {pg_url.rsplit('@', 1)[-1]} ...", flush=True)
            flask(env, "kotaku", "seed-scale", "--scale", str(args.scale), "--seed",
                  str(args.seed), "--report", str(report_path))
        return pg_url, json.loads(report_path.read_text())
    pristine = BENCH / f"{key}.db"
    report_path = BENCH / f"dataset-sqlite-{key}.json"
    if not pristine.exists() or not report_path.exists() or args.reseed:
        for stale in BENCH.glob(f"{key}.db*"):
            stale.unlink()
        seed_env = {**env, "BENCH_DATABASE_URL": f"sqlite:///{pristine}"}
        print(f"Seeding {key} into {pristine.name} ...", flush=True)
        flask(seed_env, "db", "upgrade")
        flask(seed_env, "kotaku", "seed-scale", "--scale", str(args.scale), "--seed",
              str(args.seed), "--report", str(report_path))
        with sqlite3.connect(pristine) as conn:  # fold the WAL in, so the copy is one file
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # Measure on a fresh copy: registrations posted by one run must not change the next one's data.
    working = BENCH / "run.db"
    for stale in BENCH.glob("run.db*"):
        stale.unlink()
    with sqlite3.connect(pristine) as source, sqlite3.connect(working) as target:
        source.backup(target)
    # A dataset seeded before a newer migration gets its tables and indexes (the data stays the
    # same), and the planner statistics for them.
    flask({**env, "BENCH_DATABASE_URL": f"sqlite:///{working}"}, "db", "upgrade")
    with sqlite3.connect(working) as conn:
        conn.execute("ANALYZE")
    return f"sqlite:///{working}", json.loads(report_path.read_text())


def start_server(env: dict, url: str, port: int, workers: int) -> subprocess.Popen:
    log = open(BENCH / "gunicorn.log", "w")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "1800",
         "--log-level", "warning", "bench.wsgi:app"],
        cwd=ROOT, env={**env, "BENCH_DATABASE_URL": url}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if request(port, "GET", "/healthz", timeout=2).status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited; see bench/gunicorn.log")
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def worker_pids(server: subprocess.Popen) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(server.pid)], capture_output=True,
                         text=True).stdout
    return [int(p) for p in out.split()]


def proc_status(pid: int) -> dict[str, float]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0), so the peak is the export's own."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def measure_export(port: int, server: subprocess.Popen, cookies: dict, path: str) -> dict:
    pids = worker_pids(server)
    for pid in pids:
        reset_peak(pid)
    before = {pid: proc_status(pid) for pid in pids}
    started = time.perf_counter()
    reply = request(port, "GET", path, headers={"Cookie": cookie_header(cookies)}, timeout=1800)
    seconds = time.perf_counter() - started
    after = {pid: proc_status(pid) for pid in pids}
    # The worker that served it is the one whose peak rose most above where it started.
    pid = max(pids, key=lambda p: after[p]["VmHWM"] - before[p]["VmRSS"])
    rows = None
    if reply.status == 200:
        rows = count_xlsx_rows(reply.body)
    return {"status": reply.status, "rows": rows, "seconds": round(seconds, 2),
            "bytes": len(reply.body), "baseline_rss_mb": round(before[pid]["VmRSS"], 1),
            "peak_rss_mb": round(after[pid]["VmHWM"], 1)}


def count_xlsx_rows(data: bytes) -> dict[str, int] | None:
    import io

    try:
        from openpyxl import load_workbook
    except ImportError:
        return None
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {sheet.title: sum(1 for _ in sheet.iter_rows(values_only=True))
                for sheet in book.worksheets}
    finally:
        book.close()


# --- Main ---------------------------------------------------------------------------------------


def app_routes(env: dict, url: str) -> set[str]:
    """Every URL rule the app has (`flask routes`), to tell a missing page from a broken one."""
    out = flask({**env, "BENCH_DATABASE_URL": url}, "routes").stdout
    return {line.split()[-1] for line in out.splitlines()[2:] if line.strip()}


def probe(port: int, path: str, cookies=None, headers=None) -> tuple[bool, str]:
    all_headers = dict(headers or {})
    if cookies:
        all_headers["Cookie"] = cookie_header(cookies)
    reply = request(port, "GET", path, headers=all_headers)
    if reply.status != 200:
        return False, f"HTTP {reply.status} before measuring"
    return True, reply.headers.get("x-query-count", "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20191)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds measured per scenario")
    parser.add_argument("--warmup", type=float, default=1.5, help="seconds before measuring")
    parser.add_argument("--concurrency", type=int, default=0, help="default: 2 × workers")
    parser.add_argument("--workers", type=int, default=0, help="default: 2 × cores")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--reseed", action="store_true", help="seed again even if a dataset exists")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--output", type=Path, default=None,
                        help="default: bench/results.json, or results-postgresql.json with "
                             "DATABASE_URL")
    args = parser.parse_args()
    if args.output is None:
        args.output = BENCH / ("results-postgresql.json" if os.environ.get("DATABASE_URL")
                               else "results.json")
    workers = args.workers or 2 * (os.cpu_count() or 1)
    concurrency = args.concurrency or 2 * workers

    env = {**os.environ, "SECRET_KEY": secrets.token_hex(32), "PYTHONPATH": str(ROOT),
           "KOTAKU_ENV": "production"}
    env.pop("DATABASE_URL", None)
    url, dataset = prepare_dataset(args, env)
    engine = "postgresql" if url.startswith("postgresql") else "sqlite"
    port = free_port()
    print(f"Serving {engine} ({dataset['counts'].get('commitments', 0):,} commitments) with "
          f"gunicorn -w {workers} on 127.0.0.1:{port}; concurrency {concurrency}, "
          f"{args.warmup:g} s warm-up + {args.duration:g} s per scenario.", flush=True)
    routes = app_routes(env, url)
    server = start_server(env, url, port, workers)
    try:
        results = run_scenarios(args, port, server, dataset, concurrency, routes)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    summary = {
        "engine": engine,
        "dataset": dict(dataset["counts"]),
        "seed_seconds": dataset.get("seconds"),
        "scenarios": [{key: s[key] for key in ("name", "rps", "p50_ms", "p95_ms", "ratio_to_healthz")}
                      for s in results["scenarios"] if "skipped" not in s],
        "export": {key: results["export"].get(key) for key in ("rows", "seconds", "baseline_rss_mb",
                                                                "peak_rss_mb")},
    }
    args.output.write_text(json.dumps(summary, indent=2) + "\n")
    # Everything else (errors, queries per page, skipped scenarios, PASS/MISS, the machine).
    detail = args.output.with_name(args.output.stem + "-detail.json")
    detail.write_text(json.dumps({"engine": engine, **results}, indent=2) + "\n")
    print(f"\nWrote {args.output.name} and {detail.name} in {args.output.parent}")
    missed = [t["name"] for t in results["targets"] if not t["pass"]]
    return 1 if args.strict and missed else 0


def run_scenarios(args, port: int, server, dataset: dict, concurrency: int,
                  routes: set[str]) -> dict:
    password = dataset["password"]
    organiser = login(port, "organiser@bench.example", password)
    national = login(port, "national@bench.example", password)
    reviewer = login(port, "reviewer@bench.example", password)
    workshop_id = dataset["bench_workshop_id"]
    open_codes = dataset["open_workshop_codes"]
    kabkota = dataset["bench_kabkota"]
    token = dataset["api_tokens"].get("national@bench.example", "")
    bearer = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    # (name, path, the URL rule that must exist, cookies, headers)
    candidates = [
        ("healthz", "/healthz", "/healthz", None, None),
        ("public_workshop", f"/w/{open_codes[0]}", "/w/<code>", None, None),
        ("public_register_post", None, "/w/<code>/register", None, None),
        ("participant_list", f"/manage/workshops/{workshop_id}/participants",
         "/manage/workshops/<int:workshop_id>/participants", organiser, None),
        ("outcomes", f"/workshops/{workshop_id}/outcomes", "/workshops/<int:workshop_id>/outcomes",
         organiser, None),
        ("commitments_filtered", "/commitments/?status=dilaksanakan&sector=pemerintah",
         "/commitments/", national, None),
        ("dashboard_national", "/review/", "/review/", national, None),
        ("dashboard_kabkota", f"/review/?kabkota={kabkota}", "/review/", reviewer, None),
        ("api_list", "/api/v1/commitments", "/api/v1/commitments", None, bearer),
    ]
    only = {s for s in args.only.split(",") if s}
    measurements, skipped, baselines = [], {}, []
    healthz = Scenario("healthz", get_worker(port, "/healthz"))
    for name, path, rule, cookies, headers in candidates:
        if only and name not in only and name != "healthz":
            continue
        if rule not in routes:
            skipped[name] = f"route {rule} not present yet"
            print(f"  {name:<22} skipped: {skipped[name]}", flush=True)
            continue
        if path is None:
            scenario = Scenario(name, register_worker(port, open_codes))
            queries = ""
        else:
            present, info = probe(port, path, cookies, headers)
            if not present:
                skipped[name] = info
                print(f"  {name:<22} skipped: {info}", flush=True)
                continue
            queries = info
            scenario = Scenario(name, get_worker(port, path, cookies, headers))
        if name != "healthz":
            # The machine may be shared: measure the baseline again right before each page, so
            # each ratio compares two measurements taken seconds apart under the same load.
            baselines.append(drive(healthz, concurrency, args.warmup / 2, args.duration / 2))
        m = drive(scenario, concurrency, args.warmup, args.duration)
        m.queries = queries
        m.baseline_rps = baselines[-1].rps if name != "healthz" else m.rps
        measurements.append(m)
        if name == "healthz":
            baselines.append(m)
        print(f"  {name:<22} {m.rps:8.1f} req/s  p50 {m.p50_ms:7.1f} ms  p95 {m.p95_ms:7.1f} ms"
              f"  errors {m.errors}  (healthz just before: {m.baseline_rps:.0f} req/s)", flush=True)

    # The healthz row reports every baseline slice of the run together.
    for m in measurements:
        if m.name == "healthz":
            total = sum(b.requests for b in baselines)
            m.rps = statistics.mean(b.rps for b in baselines)
            m.p50_ms = statistics.median(b.p50_ms for b in baselines)
            m.p95_ms = statistics.median(b.p95_ms for b in baselines)
            m.requests = total
            m.baseline_rps = m.rps
    scenarios = [{"name": m.name, "rps": round(m.rps, 1), "p50_ms": round(m.p50_ms, 1),
                  "p95_ms": round(m.p95_ms, 1),
                  "ratio_to_healthz": round(m.rps / (m.baseline_rps or 1), 3),
                  "errors": m.errors, "requests": m.requests, "healthz_rps_before": round(m.baseline_rps, 1),
                  "queries": int(m.queries) if m.queries.isdigit() else None}
                 for m in measurements]
    scenarios += [{"name": name, "skipped": why} for name, why in skipped.items()]

    export = {"skipped": "not measured"}
    if not only or "export" in only:
        export_path = "/review/export.xlsx"
        if export_path not in routes:
            export = {"skipped": f"route {export_path} not present yet"}
        else:
            export = measure_export(port, server, national, export_path)
            rows = export.get("rows")
            export["rows"] = sum(rows.values()) - len(rows) if isinstance(rows, dict) else rows
            export["rows_by_sheet"] = rows
        print(f"  export                 {export}", flush=True)

    targets = []
    print(f"\n{'scenario':<22} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'× healthz':>10} "
          f"{'queries':>8}  target")
    for s in scenarios:
        if "skipped" in s:
            print(f"{s['name']:<22} {'skipped: ' + s['skipped']}")
            continue
        target = TARGETS.get(s["name"])
        verdict = ""
        if target:
            kind, minimum = target
            ok = s["ratio_to_healthz"] >= minimum and s["errors"] == 0
            verdict = f"{'PASS' if ok else 'MISS'} (≥ {minimum:.2f}, {kind})"
            targets.append({"name": s["name"], "minimum_ratio": minimum, "pass": ok})
        print(f"{s['name']:<22} {s['rps']:8.1f} {s['p50_ms']:8.1f} {s['p95_ms']:8.1f} "
              f"{s['ratio_to_healthz']:10.3f} {str(s['queries'] or ''):>8}  {verdict}")
    if "peak_rss_mb" in export:
        growth = export["peak_rss_mb"] - export["baseline_rss_mb"]
        ok = export["status"] == 200 and growth <= EXPORT_GROWTH_LIMIT_MB
        targets.append({"name": "export", "maximum_growth_mb": EXPORT_GROWTH_LIMIT_MB,
                        "growth_mb": round(growth, 1), "pass": ok})
        print(f"export: {export['rows']} rows in {export['seconds']} s, worker RSS "
              f"{export['baseline_rss_mb']} → peak {export['peak_rss_mb']} MB "
              f"(+{growth:.1f}): {'PASS' if ok else 'MISS'} (≤ {EXPORT_GROWTH_LIMIT_MB} MB growth)")
    run = {"machine": machine(), "workers": 2 * (os.cpu_count() or 1) if not args.workers else args.workers,
           "concurrency": concurrency, "duration_s": args.duration, "warmup_s": args.warmup,
           "client": "bench/run.py raw-socket closed loop (one connection per request)",
           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    return {"scenarios": scenarios, "export": export, "targets": targets, "run": run}


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} vCPU {model}{memory}, Python {sys.version.split()[0]}"


if __name__ == "__main__":
    sys.exit(main())
