"""Scale-out bench: backfill throughput with local worker processes and with 1 and 2 Dask workers.

    python bench/scale_out.py                        # 2,000 HTML captures
    python bench/scale_out.py --captures 5000 --s3   # also a Dask run from and into moto's S3 server

Builds the input the way bench/backfill.py does (eval pages replicated, unique, in WARC.gz files),
starts one Prefect server on 127.0.0.1 that every run uses (so no run pays for a temporary
server), then measures in the same run, each ``article-archive backfill`` in a subprocess:

* for 1, then 2 workers: local worker processes (``--workers N``), then Dask (``--dask-address``
  with a scheduler and N ``dask worker`` processes of one thread each on 127.0.0.1, started
  before the timed run), one right after the other so that both see the same machine load;
* with ``--s3``: 2 Dask workers, input and archive in buckets of moto's standalone server.

Throughput is captures per second of the run's own report (start-up excluded); the wall time
includes the CLI's start-up. The overhead of the distributed path is the ratio of Dask with N
workers to local processes with N workers. Writes ``bench/out/scale_out.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from backfill import OUT_DIR, _table_value, build_input, distinct_pages  # noqa: E402

from flows.distributed import LOCAL_HOST, free_port, local_dask  # noqa: E402
from flows.processes import stop_process_group  # noqa: E402
from flows.serve import start_local_server, stop_server  # noqa: E402


def backfill(source: str, archive: str, extra: list[str], env: dict[str, str]) -> dict[str, Any]:
    """One ``article-archive backfill`` in a subprocess: captures, pipeline and wall seconds."""
    command = [sys.executable, "-m", "flows.cli", "backfill", source, "--archive", archive, *extra]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"backfill failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    captures = int(_table_value(done.stdout, "captures seen"))
    pipeline_s = float(_table_value(done.stdout, "time taken").split()[0])
    return {
        "captures": captures,
        "archived": int(_table_value(done.stdout, "archived")),
        "pipeline_s": pipeline_s,
        "wall_s": round(wall, 2),
        "captures_per_s": round(captures / pipeline_s, 2),
    }


def moto_server(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log.open("ab") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", LOCAL_HOST, "-p", str(port)],
            stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    endpoint = f"http://{LOCAL_HOST}:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
            return process, endpoint
        except OSError:
            time.sleep(0.2)
    stop_process_group(process)
    raise RuntimeError("moto's server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--captures", type=int, default=2_000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--s3", action="store_true", help="also run 2 Dask workers against moto's S3 server")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop the servers and clusters started here

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    input_dir = OUT_DIR / f"backfill-input-html-{args.captures}"
    build_input(distinct_pages("html"), args.captures, "html", input_dir)
    work = Path(tempfile.mkdtemp(prefix="scale-out-"))
    home = work / "prefect-home"
    server = start_local_server(log_path=home / "server.log", env={"PREFECT_HOME": str(home)})
    env = {**os.environ, "PREFECT_API_URL": server.api_url, "PREFECT_HOME": str(work / "client-home")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    batch = ["--batch-size", str(args.batch_size)]
    runs: list[dict[str, Any]] = []

    def record(label: str, workers: int, result: dict[str, Any]) -> None:
        runs.append({"path": label, "workers": workers, **result})
        print(f"{label:<14} workers={workers}: {result['captures_per_s']:6.1f} captures/s "
              f"(pipeline {result['pipeline_s']:.1f} s, wall {result['wall_s']:.1f} s)", flush=True)  # fmt: skip

    try:
        for workers in (1, 2):  # local then Dask for each count: adjacent runs share the machine's load
            archive = work / f"local-{workers}"
            record("local", workers, backfill(str(input_dir), str(archive), [*batch, "--workers", str(workers)], env))
            with local_dask(workers, env, work / f"dask-{workers}-logs") as cluster:
                extra = [*batch, "--dask-address", cluster.address]
                record("dask", workers, backfill(str(input_dir), str(work / f"dask-{workers}"), extra, env))
        if args.s3:
            runs_s3(input_dir, work, env, batch, record)
    finally:
        stop_server(server)
        shutil.rmtree(work, ignore_errors=True)

    rate = {(r["path"], r["workers"]): r["captures_per_s"] for r in runs}
    overhead = {f"dask_vs_local_{n}": round(rate[("dask", n)] / rate[("local", n)], 3) for n in (1, 2)}
    overhead["dask_2_vs_1"] = round(rate[("dask", 2)] / rate[("dask", 1)], 3)
    if ("dask+s3", 2) in rate:
        overhead["dask_s3_vs_dask_local_disk_2"] = round(rate[("dask+s3", 2)] / rate[("dask", 2)], 3)
    for name, value in overhead.items():
        print(f"{name}: {value:.2f}x")
    results = {"captures": args.captures, "batch_size": args.batch_size, "cpu_count": os.cpu_count(), "runs": runs}
    results |= {"ratios": overhead, "load_average_after": os.getloadavg()}
    (OUT_DIR / "scale_out.json").write_text(json.dumps(results, indent=2))


def runs_s3(input_dir: Path, work: Path, env: dict[str, str], batch: list[str], record: Any) -> None:
    """2 Dask workers, input uploaded to a bucket and the archive written to one (moto's server)."""
    import s3fs

    moto, endpoint = moto_server(work / "moto.log")
    try:
        s3_env = {**env, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_ENDPOINT_URL": endpoint}
        fs = s3fs.S3FileSystem(key="bench", secret="bench", endpoint_url=endpoint, skip_instance_cache=True)
        fs.mkdir("inbox")
        fs.mkdir("archives")
        fs.put(str(input_dir), "inbox/captures", recursive=True)
        with local_dask(2, env, work / "dask-s3-logs") as cluster:  # workers get no S3 credentials: none needed
            extra = [*batch, "--dask-address", cluster.address]
            record("dask+s3", 2, backfill("s3://inbox/captures", "s3://archives/bench", extra, s3_env))
    finally:
        stop_process_group(moto)


if __name__ == "__main__":
    main()
