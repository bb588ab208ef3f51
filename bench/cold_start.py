"""Cold start and resident memory of the API on an existing database.

    python bench/cold_start.py --db PATH [--runs 5]

Each run starts `conflictkb serve` (uvicorn, one worker) on a free port and times process start to
the first 200 from /readyz; then sends a mix of reads (events, search, articles, actors) and reads
the server's resident memory (VmRSS, and VmHWM, its peak) from /proc. The first read is a search
sent at once after /readyz: what the first user of a new worker waits for (lemma dictionaries,
the alias index, impact lists). app/ is byte-compiled first, as the installed wheel is; the bare
import without bytecode is shown beside it. Beside it, the time of a
bare `python -c "import app.main"` and of `python -c pass` in the same run (the floor).
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
READS = [
    "/api/v1/events?type=ASSAULT&limit=50",
    "/api/v1/events?limit=50",
    "/api/v1/search?q=Kharkiv",
    "/api/v1/search?q=drones",
    "/api/v1/articles?limit=50",
    "/api/v1/actors?limit=50",
]
FIRST_SEARCH = "/api/v1/search?q=Україна"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> tuple[float, float]:
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def one_run(db: Path) -> tuple[float, float, float, float]:
    port = free_port()
    env = {**os.environ, "CONFLICTKB_DATABASE_URL": f"sqlite:///{db.resolve()}"}
    cli = Path(sys.executable).parent / "conflictkb"
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(cli), "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            while True:
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None:
                    raise RuntimeError("the server exited")
                time.sleep(0.005)
            ready = time.perf_counter() - t0
            assert client.get(FIRST_SEARCH).status_code == 200
            first_search = time.perf_counter() - t0
            ids = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute(
                "SELECT id FROM article ORDER BY random() LIMIT 50"
            )
            paths = READS * 10 + [f"/api/v1/articles/{r[0]}" for r in ids]
            for path in paths:
                client.get(path)
        rss, peak = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return ready, first_search, rss, peak


def timed(code: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return time.perf_counter() - t0


def compile_tree() -> None:
    """Byte-compile app/ as installing the wheel does (the Docker image): an editable checkout run
    with PYTHONDONTWRITEBYTECODE=1 (this VM, the Dockerfile's runtime) otherwise compiles every
    module of the app again at each start (0.25–0.6 s on this VM)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "app"], cwd=ROOT, check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, type=Path)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with sqlite3.connect(f"file:{args.db}?mode=ro", uri=True) as conn:
        articles = conn.execute("SELECT count(*) FROM article").fetchone()[0]
    uncompiled = statistics.median(timed("import app.main") for _ in range(args.runs))
    compile_tree()
    runs = [one_run(args.db) for _ in range(args.runs)]
    bare = statistics.median(timed("pass") for _ in range(args.runs))
    imports = statistics.median(timed("import app.main") for _ in range(args.runs))
    ready = [r[0] for r in runs]
    print(f"DB: {args.db.name}, {articles} articles; {args.runs} runs")
    print(f"| {'measure':<44} | {'median':>8} | {'min':>8} | {'max':>8} |")
    print(f"|{'-' * 46}|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|")
    rows = [
        ("python -c pass (s)", [bare], None),
        ("python -c 'import app.main', before compileall (s)", [uncompiled], None),
        ("python -c 'import app.main' (s)", [imports], None),
        ("conflictkb serve: start -> first 200 /readyz (s)", ready, None),
        ("start -> first search answered (s)", [r[1] for r in runs], None),
        ("RSS after 111 reads (MB)", [r[2] for r in runs], None),
        ("peak RSS (VmHWM, MB)", [r[3] for r in runs], None),
    ]
    for label, values, _ in rows:
        print(
            f"| {label:<44} | {statistics.median(values):>8.2f} | {min(values):>8.2f} "
            f"| {max(values):>8.2f} |"
        )


if __name__ == "__main__":
    main()
