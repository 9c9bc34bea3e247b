"""Load test of the REST API on loopback: throughput, latency percentiles, errors, memory.

    python benchmarks/server_load.py --requests 10000 --clients 8

Starts `digits serve` on 127.0.0.1 (a free port), then sends a bounded number of single-image
POST /api/predict requests (a 140×140 canvas PNG of an MNIST test digit, raw body) from
``--clients`` concurrent keep-alive connections in separate client processes, stopping at
``--requests`` or ``--max-seconds``, whichever comes first; ``--client wrk`` uses wrk (Debian's
package) instead, for 20 s at most. Memory is the server's resident set size after warm-up and at
the end. ``--baseline COMMIT`` also serves that commit's code, the two taking turns for ``--rounds``
runs each, and reports each one's medians. Results go to benchmarks/results/server_load.json.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from machine import common_arguments, write_results  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (the worker processes), in MiB."""
    total = 0
    for p in [pid, *_children(pid)]:
        with open(f"/proc/{p}/status") as f:
            total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(k) for k in f.read().split()]
    except OSError:
        return []
    return kids + [g for k in kids for g in _children(k)]


def client(port: int, body: bytes, count: int, deadline: float, out) -> None:
    """One keep-alive connection sending ``count`` requests; reports (latencies, errors)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies, errors = [], 0
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        try:
            conn.request("POST", "/api/predict", body, {"Content-Type": "image/png"})
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        latencies.append(time.perf_counter() - start)
        errors += not ok
    out.put((latencies, errors))


def load(port: int, body: bytes, requests: int, clients: int, max_seconds: float) -> dict:
    queue = mp.Queue()
    deadline = time.monotonic() + max_seconds
    procs = [mp.Process(target=client, args=(port, body, requests // clients, deadline, queue)) for _ in range(clients)]
    start = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    elapsed = time.perf_counter() - start
    for p in procs:
        p.join()
    latencies = np.concatenate([np.array(lat) for lat, _ in results]) * 1e3
    return {
        "requests": int(len(latencies)),
        "errors": int(sum(e for _, e in results)),
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "latency_ms": {q: round(float(np.percentile(latencies, int(q[1:]))), 2) for q in ("p50", "p90", "p99")},
    }


def load_wrk(port: int, body: bytes, clients: int, seconds: float) -> dict:
    """The same load from wrk (a C client, so the client steals less CPU from the server)."""
    import re
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "digit.png"
        image.write_bytes(body)
        script = Path(tmp) / "post.lua"
        script.write_text(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "image/png"\n'
            f'local f = io.open("{image}", "rb")\nwrk.body = f:read("*a")\nf:close()\n'
        )
        out = subprocess.run(
            [shutil.which("wrk"), "-t", "2", "-c", str(clients), "-d", f"{int(seconds)}s", "--latency",
             "-s", str(script), f"http://127.0.0.1:{port}/api/predict"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip

    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    latency = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "client": "wrk",
        "requests": requests,
        "errors": int(bad.group(1)) if bad else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else None,
        "seconds": seconds,
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "latency_ms": {f"p{q}": round(ms(v), 2) for q, v in latency.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--client", choices=["python", "wrk"], default="python", help="load generator")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--baseline", metavar="COMMIT", help="also load this commit's server, taking turns")
    parser.add_argument("--rounds", type=int, default=5, help="with --baseline: runs of each server")
    common_arguments(parser, "server_load")
    args = parser.parse_args()

    from digit_recognizer.data import load_mnist

    digit = load_mnist(args.data_dir).test_images[0]
    buffer = io.BytesIO()
    Image.fromarray(255 - np.asarray(Image.fromarray(digit).resize((140, 140)))).save(buffer, format="PNG")
    body = buffer.getvalue()

    if not args.baseline:
        result = serve_and_load(args, body)
        write_results(args.out, result)
        print(json.dumps(result, indent=1))
        return
    from predict_folder import REPOSITORY, source_of

    with tempfile.TemporaryDirectory() as tmp:
        commit = subprocess.run(["git", "rev-parse", "--short", args.baseline], cwd=REPOSITORY, check=True,
                                capture_output=True, text=True).stdout.strip()  # fmt: skip
        codes = {"current": REPOSITORY / "src", commit: source_of(commit, Path(tmp))}
        runs = {name: [] for name in codes}
        for _ in range(args.rounds):
            for name, src in codes.items():
                runs[name].append(serve_and_load(args, body, src))
                print(name, runs[name][-1]["requests_per_s"], "req/s", runs[name][-1]["latency_ms"], flush=True)
    result = {
        "clients": args.clients,
        "workers": args.workers,
        "image_bytes": len(body),
        **{
            name: {
                "median_requests_per_s": statistics.median(r["requests_per_s"] for r in found),
                "median_p99_ms": statistics.median(r["latency_ms"]["p99"] for r in found),
                "errors": sum(r["errors"] for r in found),
                "runs": found,
            }
            for name, found in runs.items()
        },
    }
    write_results(args.out, result)
    print(json.dumps({name: {k: v for k, v in result[name].items() if k != "runs"} for name in runs}, indent=1))


def serve_and_load(args, body: bytes, src: Path | None = None) -> dict:
    """Start `digits serve` (with the package from ``src``, if given), warm it up, load it, stop it."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "digit_recognizer",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        "-q",
    ]
    command += ["--model-path", args.model_path] if args.model_path else []
    env = {**os.environ, "PYTHONPATH": str(src)} if src else None
    server = subprocess.Popen(command, env=env)
    try:
        for _ in range(300):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/api/health")
                break
            except OSError:
                time.sleep(0.1)
        load(port, body, 400, args.clients, 30)  # warm-up
        rss_before = rss_mib(server.pid)
        if args.client == "wrk":  # wrk runs for a time, not a count: the time the count should take
            result = load_wrk(port, body, args.clients, min(args.max_seconds, 20))
        else:
            result = load(port, body, args.requests, args.clients, args.max_seconds)
        result["rss_mib"] = {"after_warmup": round(rss_before, 1), "at_end": round(rss_mib(server.pid), 1)}
    finally:
        server.terminate()
        server.wait(10)
    result.update({"clients": args.clients, "workers": args.workers, "image_bytes": len(body)})
    return result


if __name__ == "__main__":
    main()
