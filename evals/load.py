"""Load test: bursts of concurrent POST /api/ask while one large upload is being embedded.

    python evals/load.py [--levels 20 50 100 200] [--upload-mb 5] [--data-dir DIR] [--json OUT]

Starts the app (as `app.serve` does: same middleware, same uvicorn config) in a child process on
127.0.0.1, then:
1. 10 sequential questions, for the unloaded latency;
2. a 5 MB text upload through `Assistant.add_upload` in the server process (the code path of the
   page's upload), with its caps raised so it really embeds its ~5,000 passages; the bursts start
   once its first batch is done;
3. for each level N, N golden-set questions (evals/golden.jsonl, with their audiences) sent at once,
   one connection each.
It reports per level: answered (200), refused (503, back-pressure), errors (anything else),
p50/p95/max latency of the answered, the server's peak RSS, and the longest time any question
waited at the embedding model while one of the upload's batches held it. That wait is measured in
the server by timing the model gate's turns (assistant/model_gate.py), not guessed from latency.
Every request goes to 127.0.0.1 only; each burst is bounded by its size and a 120 s timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.metrics import percentile  # noqa: E402

GOLDEN = ROOT / "evals" / "golden.jsonl"
UPLOAD_SESSION = "load-test-uploader"


# --- the server side (child process) -----------------------------------------------------
def timed_gate():
    """The model gate, recording when each upload batch held the model and when questions waited."""
    from assistant.model_gate import ModelGate

    class TimedGate(ModelGate):
        def __init__(self):
            super().__init__()
            self.lock = threading.Lock()
            self.bulk_holds: list[tuple[float, float]] = []  # (start, end); turns never overlap
            self.question_waits: list[tuple[float, float]] = []  # (asked, got the model)

        @contextmanager
        def turn(self, bulk: bool = False):
            asked = time.monotonic()
            with super().turn(bulk):
                got = time.monotonic()
                try:
                    yield
                finally:
                    with self.lock:
                        if bulk:
                            self.bulk_holds.append((got, time.monotonic()))
                        else:
                            self.question_waits.append((asked, got))

        def waits_on_upload(self) -> list[tuple[float, float]]:
            """(when the question asked, seconds of its wait spent behind upload batches)."""
            with self.lock:
                holds, waits = list(self.bulk_holds), list(self.question_waits)
            starts = [s for s, _ in holds]
            found = []
            for asked, got in waits:
                behind = 0.0
                for start, end in holds[max(0, bisect.bisect_left(starts, asked) - 1):]:
                    if start >= got:
                        break
                    behind += max(0.0, min(got, end) - max(asked, start))
                found.append((asked, behind))
            return found

    return TimedGate()


def serve(args) -> None:
    import uvicorn

    import assistant.embeddings as embeddings
    from app import build_app
    from assistant.engine import Assistant
    from assistant.settings import Settings
    from assistant.web.server import server_config

    gate = embeddings._gate = timed_gate()
    caps = {} if args.shipped_caps else {"upload_max_chars": 50_000_000, "upload_max_chunks": 100_000}
    settings = Settings(port=int(args.port), host="127.0.0.1", **({"data_dir": args.data_dir} if args.data_dir else {}),
                        **caps)
    engine = Assistant.load(settings, build_if_missing=True)
    status = {"upload": {"size_mb": Path(args.upload_file).stat().st_size / 2 ** 20}}

    def upload() -> None:
        while not Path(args.trigger).exists():
            time.sleep(0.1)
        state = status["upload"]
        state["started"] = time.monotonic()

        def progress(done: int, total: int) -> None:
            state.setdefault("first_batch", time.monotonic())
            state["done"], state["total"] = done, total

        try:
            state["passages"] = engine.add_upload(UPLOAD_SESSION, Path(args.upload_file), progress=progress)
        except Exception as exc:  # noqa: BLE001 - reported, e.g. a cap refusing the file
            state["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        state["finished"] = time.monotonic()

    def report() -> None:
        while True:
            status["waits_on_upload"] = gate.waits_on_upload()
            status["longest_batch_s"] = max((e - s for s, e in list(gate.bulk_holds)), default=0.0)
            Path(args.status + ".tmp").write_text(json.dumps(status))
            os.replace(args.status + ".tmp", args.status)
            time.sleep(0.5)

    threading.Thread(target=upload, daemon=True).start()
    threading.Thread(target=report, daemon=True).start()
    uvicorn.Server(server_config(build_app(engine), settings)).run()


# --- the client side ----------------------------------------------------------------------
def golden_questions() -> list[dict]:
    cases = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"question": c["question"], "audience": c.get("audience")} for c in cases if c.get("question")]


def write_upload(path: Path, megabytes: float) -> None:
    """Distinct policy-like paragraphs, so every passage is new work for the model."""
    parts, size, i = [], 0, 0
    while size < megabytes * 2 ** 20:
        text = (f"Section {i}. Under district rule {i * 7 % 997}, the school resource officer assigned to "
                f"building {i % 41} files incident report {i} with the principal within {i % 5 + 1} school "
                f"days, and the family of any student named in report {i} is told in writing. The officer "
                f"does not take part in discipline for conduct under rule {i % 13}, which the principal "
                f"handles; questioning about matter {i} waits for a parent when the student is under 18. " * 2)
        parts.append(text)
        size += len(text) + 2
        i += 1
    path.write_text("\n\n".join(parts), encoding="utf-8")


class Rss:
    """The server's resident memory, sampled from /proc (psutil is not needed)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def now_mb(self) -> float:
        found = [x for x in Path(f"/proc/{self.pid}/status").read_text().splitlines() if x.startswith("VmRSS:")]
        return int(found[0].split()[1]) / 1024 if found else 0.0

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.now_mb())
            except OSError:
                return
            time.sleep(0.1)

    def take_peak(self) -> float:
        peak, self.peak = self.peak, 0
        return max(peak, self.now_mb())


async def burst(base: str, count: int, questions: list[dict]) -> list[tuple[int | None, float, str | None]]:
    import httpx

    limits = httpx.Limits(max_connections=count, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        async def one(i: int):
            case = questions[i % len(questions)]
            began = time.perf_counter()
            try:
                got = await client.post(f"{base}/api/ask", json={**case, "id": i})
                return got.status_code, time.perf_counter() - began, None
            except Exception as exc:  # noqa: BLE001 - counted as an error
                return None, time.perf_counter() - began, type(exc).__name__
        return await asyncio.gather(*(one(i) for i in range(count)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, child: subprocess.Popen, log: Path, limit_s: float = 900) -> None:
    import httpx

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit(f"the server exited; see {log}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit("the server did not start in time")


def run(args) -> dict:
    import httpx

    work = Path(tempfile.mkdtemp(prefix="sro-load-"))
    port, questions = free_port(), golden_questions()
    upload_file, status_file, trigger, log = (work / "district-policy.txt", work / "status.json",
                                              work / "go", work / "server.log")
    write_upload(upload_file, args.upload_mb)
    command = [sys.executable, __file__, "--serve", "--port", str(port), "--status", str(status_file),
               "--trigger", str(trigger), "--upload-file", str(upload_file)] + \
        (["--data-dir", str(args.data_dir)] if args.data_dir else []) + (["--shipped-caps"] if args.shipped_caps else [])
    base = f"http://127.0.0.1:{port}"
    with open(log, "w") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_until_up(base, child, log)
        rss = Rss(child.pid)
        alone = []
        for case in questions[:10]:
            began = time.perf_counter()
            httpx.post(f"{base}/api/ask", json=case, timeout=60)
            alone.append(time.perf_counter() - began)
        result = {"unloaded_p50_s": percentile(alone, 50), "rss_start_mb": rss.take_peak(), "levels": []}
        trigger.touch()
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:  # the bursts start once the upload is embedding
            state = json.loads(status_file.read_text()).get("upload", {}) if status_file.exists() else {}
            if "first_batch" in state or "finished" in state:
                break
            time.sleep(0.2)
        for level in args.levels:
            began = time.monotonic()
            replies = asyncio.run(burst(base, level, questions))
            ended = time.monotonic()
            answered = sorted(t for code, t, _ in replies if code == 200)
            time.sleep(1.0)  # the status file catches up
            status = json.loads(status_file.read_text())
            waits = [w for at, w in status["waits_on_upload"] if began <= at <= ended]
            upload = status["upload"]
            result["levels"].append({
                "concurrent": level, "answered": len(answered),
                "refused_503": sum(1 for code, _, _ in replies if code == 503),
                "errors": sum(1 for code, _, _ in replies if code not in (200, 503)),
                "error_kinds": sorted({e or str(code) for code, _, e in replies if code not in (200, 503)}),
                "p50_s": percentile(answered, 50), "p95_s": percentile(answered, 95),
                "max_s": answered[-1] if answered else None, "wall_s": ended - began,
                "server_rss_peak_mb": rss.take_peak(),
                "longest_wait_on_upload_s": max(waits, default=0.0),
                "upload_running": "first_batch" in upload and upload.get("finished", ended + 1) > ended,
                "upload_done": f"{upload.get('done', 0)}/{upload.get('total', '?')}",
            })
            time.sleep(2.0)
        status = json.loads(status_file.read_text())
        result["upload"] = {k: v for k, v in status["upload"].items() if k in ("size_mb", "done", "total", "error")}
        result["longest_upload_batch_s"] = status["longest_batch_s"]
        return result
    finally:
        child.terminate()
        child.wait(timeout=30)


def table(result: dict) -> str:
    rows = ["| concurrent | answered | 503 | errors | p50 | p95 | max | server RSS peak | longest wait on upload "
            "| upload during burst |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in result["levels"]:
        fmt = (lambda v: "-" if v is None else f"{v:.2f} s")
        rows.append(f"| {r['concurrent']} | {r['answered']} | {r['refused_503']} | {r['errors']} | {fmt(r['p50_s'])} "
                    f"| {fmt(r['p95_s'])} | {fmt(r['max_s'])} | {r['server_rss_peak_mb']:.0f} MB "
                    f"| {r['longest_wait_on_upload_s']:.2f} s | {'yes' if r['upload_running'] else 'no'} "
                    f"({r['upload_done']} passages) |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[20, 50, 100, 200])
    parser.add_argument("--upload-mb", type=float, default=5.0)
    parser.add_argument("--data-dir", type=Path, help="index folder (default: SRO_DATA_DIR or data/)")
    parser.add_argument("--shipped-caps", action="store_true",
                        help="keep the upload caps (a 5 MB text is then refused at once, not embedded)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the child's side
    for hidden in ("--port", "--status", "--trigger", "--upload-file"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args) or 0
    result = run(args)
    print(table(result))
    print(f"unloaded p50 {result['unloaded_p50_s']:.2f} s; server RSS at start {result['rss_start_mb']:.0f} MB; "
          f"longest single upload batch {result['longest_upload_batch_s']:.2f} s; upload {result['upload']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
