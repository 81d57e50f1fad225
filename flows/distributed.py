"""Scale-out: batch cleaning as Prefect tasks on a Dask cluster, and fsspec options for object stores.

Only cleaning leaves this process. ``archive_on_dask`` reads the captures here, skips the ones the
archive already holds, submits each remaining batch as a ``clean-batch`` task to an existing Dask
cluster through prefect-dask's ``DaskTaskRunner(address=…)``, and commits the results here, in batch
order, through the flow's retried ``commit-batch`` task: the writer deduplicates under one lock
(and an object-store archive has no lock at all), so there is exactly one writer per run.

What crosses to a worker and back is plain data: ``Capture`` values (bytes, str, datetime) in,
``ArticleRecord`` / ``Quarantined`` values (str, tuples, datetimes, ints) out, never parse trees.
Workers run the code they imported when they started: restart them after deploying a new version.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

import fsspec
import fsspec.config
from prefect import task
from prefect.cache_policies import NO_CACHE

from cleaners.modes import DEFAULT_MODE, ExtractionMode
from flows.parallel import Pending, PrefectPending, finished, in_order
from flows.processes import stop_process_group
from flows.runner import CleanResult, IngestRun, clean_batch, paired
from schemas.records import Capture, Quarantined

#: Batches in flight per Dask worker thread: one running, one queued, so no thread waits on the parent.
IN_FLIGHT_PER_THREAD = 2
#: Batches in flight while the cluster has no worker yet (an adaptive cluster scaling up from zero).
MIN_IN_FLIGHT = 2
Commit = Callable[[IngestRun, list[tuple[Capture, CleanResult]], int], Any]


class DaskSetupError(RuntimeError):
    """The Dask path cannot run as configured (no Prefect server the workers can reach)."""


@task(name="clean-batch", cache_policy=NO_CACHE, persist_result=False)
def clean_batch_task(captures: list[Capture], mode: ExtractionMode = DEFAULT_MODE) -> list[CleanResult]:
    """Clean and fingerprint one batch on a Dask worker (pure: never retried, nothing written)."""
    return clean_batch(captures, mode)


def cluster_threads(client: Any) -> int:
    """Worker threads the Dask cluster has now (0 while an adaptive cluster has no worker)."""
    workers = client.scheduler_info().get("workers", {})
    return sum(int(info.get("nthreads", 1)) for info in workers.values())


def archive_on_dask(
    run: IngestRun,
    batches: Iterable[list[Capture | Quarantined]],
    address: str,
    commit: Commit,
    *,
    log: Callable[[str], None] = lambda message: None,
) -> None:
    """Clean ``batches`` on the Dask cluster at ``address``; commit each batch here, in order.

    At most ``IN_FLIGHT_PER_THREAD`` batches per worker thread are in flight, so the parent holds a
    bounded number of batches in memory however long the input is. A batch's bytes are scattered to
    a worker first and the task gets a reference: embedded in the task itself, a batch of 200 HTML
    pages (about 36 MiB) would pass through the scheduler and be hashed for the task's key. A failed
    cleaning task fails the run when its batch comes up for commit (futures are always resolved).
    """
    from prefect_dask import DaskTaskRunner

    with DaskTaskRunner(address=address) as runner:
        client = runner.client  # connect now: one client for every submit, and a wrong address fails here
        threads = cluster_threads(client)
        limit = max(MIN_IN_FLIGHT, IN_FLIGHT_PER_THREAD * threads)
        log(f"Dask cluster at {address}: {threads} worker threads, up to {limit} batches in flight")
        jobs = ((batch_no, *run.split_known(batch)) for batch_no, batch in enumerate(batches))
        start = partial(_start_on_dask, runner, client, run.extraction)
        with closing(in_order(jobs, start, limit - 1)) as cleaned:  # an error cancels what is queued
            for (batch_no, to_clean, rejected), results in cleaned:
                commit(run, paired(to_clean, rejected, results), batch_no)


def _start_on_dask(
    runner: Any, client: Any, mode: ExtractionMode, job: tuple[int, list[Capture], list[Quarantined]]
) -> Pending[list[CleanResult]]:
    """Submit a batch's cleaning to the cluster (a batch with nothing to clean is not sent)."""
    _, to_clean, _ = job
    if not to_clean:
        return finished([])
    [data] = client.scatter([to_clean], hash=False)  # straight to a worker, not via the scheduler
    return PrefectPending(runner.submit(clean_batch_task, parameters={"captures": data, "mode": mode}), keep=data)


def require_api_server() -> str:
    """The configured ``PREFECT_API_URL``: Dask workers report their task runs to it.

    Without one, every Dask worker process would start a temporary Prefect server of its own
    (25–30 s each, and the runs land in a database nobody reads).
    """
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise DaskSetupError(
            "--dask-address needs a Prefect server that the Dask workers can reach: start one "
            "(`prefect server start --host 0.0.0.0`) and set PREFECT_API_URL here and on the workers"
        )
    return str(url)


def parse_storage_options(pairs: Iterable[str]) -> dict[str, Any]:
    """``key=value`` pairs as fsspec keyword arguments; a value is JSON if it parses (``anon=true``)."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"a storage option is key=value, got {pair!r}")
        try:
            options[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            options[key.strip()] = value
    return options


def remote_protocols(urls: Iterable[str]) -> list[str]:
    """The fsspec protocols of the URLs that are not local paths, in first-seen order."""
    found: list[str] = []
    for url in urls:
        protocol, _ = fsspec.core.split_protocol(str(url))
        if protocol and protocol not in ("file", "local") and protocol not in found:
            found.append(protocol)
    return found


def apply_storage_options(options: dict[str, Any], urls: Iterable[str]) -> list[str]:
    """Make ``options`` the defaults of every filesystem these URLs open, in this process.

    They go into ``fsspec.config.conf`` (as ``FSSPEC_S3_ENDPOINT_URL`` does), so every place that
    opens a URL — discovery, reading, the archive — uses them without being passed them. Only the
    flow's process touches storage (Dask workers get capture bytes), so workers need none of them.
    Returns the protocols they were applied to.
    """
    protocols = remote_protocols(urls)
    for protocol in protocols:
        fsspec.config.conf.setdefault(protocol, {}).update(options)
    return protocols


def prepare_scale_out(
    urls: Iterable[str], storage_option_pairs: Iterable[str] | None, dask_address: str | None, no_prefect: bool
) -> str | None:
    """The command line's set-up for ``--storage-option`` and ``--dask-address``; a problem, or None."""
    try:
        apply_storage_options(parse_storage_options(storage_option_pairs or ()), urls)
    except ValueError as exc:
        return str(exc)
    if dask_address is None:
        return None
    if no_prefect:
        return "--dask-address runs batches as Prefect tasks on Dask: it cannot be combined with --no-prefect"
    try:
        require_api_server()
    except DaskSetupError as exc:
        return str(exc)
    return None


LOCAL_HOST = "127.0.0.1"
CLUSTER_START_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCAL_HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalDask:
    """A Dask scheduler and worker processes on 127.0.0.1, started by ``local_dask`` (tests, bench)."""

    address: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    worker_names: list[str] = field(default_factory=list)


@contextmanager
def local_dask(workers: int, env: dict[str, str], log_dir: Path, threads: int = 1) -> Iterator[LocalDask]:
    """``dask scheduler`` and ``workers`` × ``dask worker --nworkers 1`` as real processes on 127.0.0.1.

    Each runs in its own process group and is stopped (SIGTERM, then SIGKILL) on exit. ``env`` is
    their environment (PYTHONPATH so workers import this checkout, PREFECT_API_URL for the task runs).
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    cluster = LocalDask(f"tcp://{LOCAL_HOST}:{port}")
    commands = [(["--host", LOCAL_HOST, "--port", str(port), "--no-dashboard"], "scheduler")]
    for number in range(1, workers + 1):
        name = f"worker-{number}"
        cluster.worker_names.append(name)
        worker = [cluster.address, "--nworkers", "1", "--nthreads", str(threads), "--name", name, "--no-dashboard"]
        commands.append((worker, name))
    with ExitStack() as stack:
        for arguments, name in commands:
            module = "distributed.cli.dask_scheduler" if name == "scheduler" else "distributed.cli.dask_worker"
            log: IO[bytes] = stack.enter_context((log_dir / f"{name}.log").open("ab"))
            process = subprocess.Popen(
                [sys.executable, "-m", module, *arguments], stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True,
            )  # fmt: skip
            cluster.processes.append(process)
            stack.callback(stop_process_group, process)
        _wait_for_workers(cluster, workers, log_dir)
        yield cluster


def _wait_for_workers(cluster: LocalDask, workers: int, log_dir: Path) -> None:
    from distributed import Client

    deadline = time.monotonic() + CLUSTER_START_TIMEOUT_S
    with Client(cluster.address, timeout=CLUSTER_START_TIMEOUT_S) as client:
        while len(client.scheduler_info(n_workers=-1).get("workers", {})) < workers:
            exited = [p.args for p in cluster.processes if p.poll() is not None]
            if exited or time.monotonic() > deadline:
                raise DaskSetupError(f"the local Dask cluster did not start ({exited or 'timeout'}); logs in {log_dir}")
            time.sleep(0.2)


def executed_per_worker(address: str) -> dict[str, int]:
    """Tasks each worker of the cluster has run since it started, by worker name."""
    from distributed import Client

    with Client(address) as client:
        counts = client.run(lambda dask_worker: (dask_worker.name, dask_worker.state.executed_count))
    return {str(name): int(count) for name, count in counts.values()}
