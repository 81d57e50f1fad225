"""Scale-out with the real parts: a Dask scheduler and two workers, moto's S3 server, a Prefect server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from conftest import eval_html_pages, write_warc

from flows.distributed import (
    LOCAL_HOST,
    apply_storage_options,
    archive_on_dask,
    executed_per_worker,
    free_port,
    local_dask,
    parse_storage_options,
    remote_protocols,
)
from flows.processes import stop_process_group
from flows.runner import CleanResult, IngestRun
from flows.sources import unreadable
from schemas.records import Capture, Quarantined, sha256_hex

ROOT = Path(__file__).resolve().parent.parent
BACKFILL_TIMEOUT_S = 300
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``prefect server start`` on 127.0.0.1 (fresh PREFECT_HOME); its API URL. Stopped at the end."""
    from flows.serve import start_local_server, stop_server

    home = tmp_path_factory.mktemp("prefect-home")
    server = start_local_server(log_path=home / "server.log", env={"PREFECT_HOME": str(home)})
    try:
        yield server.api_url
    finally:
        stop_server(server)
    assert server.process is not None and server.process.poll() is not None


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's standalone S3-compatible server on 127.0.0.1; its endpoint URL. Stopped at the end."""
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", LOCAL_HOST, "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    endpoint = f"http://{LOCAL_HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's server did not start") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        stop_process_group(process)
        log.close()
    assert process.poll() is not None


@pytest.fixture(scope="module")
def cluster_env(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What the flow's process and the Dask workers share: the Prefect API, this checkout on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FSSPEC_"))}
    env |= {"PREFECT_API_URL": prefect_api, "PREFECT_HOME": str(tmp_path_factory.mktemp("client-home"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


@pytest.fixture(scope="module")
def dask_cluster(cluster_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1 (no S3 credentials: they need none)."""
    with local_dask(2, cluster_env, tmp_path_factory.mktemp("dask-logs")) as cluster:
        yield cluster
    assert all(p.poll() is not None for p in cluster.processes)


def pages_for_captures(count: int) -> list[tuple[str, bytes]]:
    """``count`` distinct captures from the real evaluation pages (copies made unique by a comment)."""
    pages = eval_html_pages(180)  # the set holds 181 pages
    return [
        (url if i < len(pages) else f"{url}?copy={i}", html if i < len(pages) else html + f"<!-- {i} -->".encode())
        for i, (url, html) in ((i, pages[i % len(pages)]) for i in range(count))
    ]


def backfill(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "flows.cli", "backfill", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=BACKFILL_TIMEOUT_S)
    assert done.returncode == 0, f"backfill failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


def task_run_count(api_url: str, name: str) -> int:
    """Completed task runs of that name the Prefect server recorded."""
    body = {"task_runs": {"name": {"like_": name}, "state": {"type": {"any_": ["COMPLETED"]}}}}
    request = urllib.request.Request(
        f"{api_url}/task_runs/count", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(json.load(response))


@pytest.mark.slow
def test_backfill_from_a_bucket_into_a_bucket_on_two_dask_workers(
    dask_cluster: object, s3_endpoint: str, cluster_env: dict[str, str], prefect_api: str, tmp_path: Path
) -> None:
    import duckdb
    import s3fs

    from schemas.archive import ArchiveStore, open_table

    pages = pages_for_captures(300)
    s3_env = {**S3_CREDENTIALS, "AWS_ENDPOINT_URL": s3_endpoint}
    fs = s3fs.S3FileSystem(key="testing", secret="testing", endpoint_url=s3_endpoint, skip_instance_cache=True)
    fs.mkdir("inbox")
    fs.mkdir("archives")
    for part in range(3):  # three WARC files (with request, metadata and image records to skip)
        local = write_warc(tmp_path / f"part-{part}.warc.gz", pages[part * 100 : (part + 1) * 100])
        fs.put(str(local), f"inbox/captures/2026/part-{part}.warc.gz")
    before = executed_per_worker(dask_cluster.address)  # type: ignore[attr-defined]

    args = ["s3://inbox/captures", "--archive", "s3://archives/news", "--batch-size", "20", "--rows-per-file", "1000"]
    first = backfill([*args, "--dask-address", dask_cluster.address], cluster_env | s3_env)  # type: ignore[attr-defined]

    # Both workers cleaned batches: 15 batches of 20 went to the cluster, and each worker ran some.
    ran = {name: count - before.get(name, 0) for name, count in executed_per_worker(dask_cluster.address).items()}  # type: ignore[attr-defined]
    assert sorted(ran) == ["worker-1", "worker-2"] and all(count >= 2 for count in ran.values()), ran
    assert sum(ran.values()) == 15, ran
    # ... and reported them to the Prefect server as task runs.
    assert task_run_count(prefect_api, "clean-batch") == 15

    # Read the archive back from the bucket: pyarrow over s3fs, queried with DuckDB (httpfs is not
    # installable offline; DuckDB scans the Arrow dataset).
    with_endpoint = {"key": "testing", "secret": "testing", "endpoint_url": s3_endpoint}
    apply_storage_options(with_endpoint, ["s3://archives/news"])
    store = ArchiveStore("s3://archives/news")
    db = duckdb.connect()
    for table in ("captures", "quarantine", "articles"):
        db.register(table, open_table(store, table))
    kept = db.sql("SELECT capture_id FROM captures UNION ALL SELECT capture_id FROM quarantine").fetchall()
    expected = {sha256_hex(html) for _, html in pages}
    assert len(kept) == len(expected) == 300  # each capture once: none lost, none twice
    assert {row[0] for row in kept} == expected
    [(total, distinct)] = db.execute("SELECT count(*), count(DISTINCT capture_id) FROM articles").fetchall()
    assert total == distinct >= 150  # the copies are content duplicates of their page: kept in captures only
    assert "captures seen" in first.stdout

    # A rerun over the same bucket finds every capture in the archive's index and writes nothing.
    files = fs.find("archives/news")
    rerun = backfill([*args, "--dask-address", dask_cluster.address], cluster_env | s3_env)  # type: ignore[attr-defined]
    assert fs.find("archives/news", refresh=True) == files
    assert "300" in next(line for line in rerun.stdout.splitlines() if "duplicates" in line)


def test_dask_address_needs_a_prefect_server(tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.cli import main

    archive = str(tmp_path / "a")
    with temporary_settings(restore_defaults={PREFECT_API_URL}):  # no server configured
        assert main(["backfill", str(tmp_path), "--dask-address", "tcp://127.0.0.1:1", "--archive", archive]) == 2
    assert main(["run", str(tmp_path), "--no-prefect", "--dask-address", "tcp://127.0.0.1:1"]) == 2
    assert not (tmp_path / "a").exists()


def test_storage_options_are_parsed_and_applied_per_protocol() -> None:
    import fsspec.config

    options = parse_storage_options(["endpoint_url=http://127.0.0.1:9000", "anon=false", "default_block_size=5242880"])
    assert options == {"endpoint_url": "http://127.0.0.1:9000", "anon": False, "default_block_size": 5242880}
    with pytest.raises(ValueError, match="key=value"):
        parse_storage_options(["endpoint_url"])
    assert remote_protocols(["./local", "/abs", "file:///x", "s3://a/b", "gs://c", "s3://d"]) == ["s3", "gs"]
    saved = {k: dict(v) for k, v in fsspec.config.conf.items()}
    try:
        assert apply_storage_options({"anon": True}, ["s3://bucket/archive", "local/folder"]) == ["s3"]
        assert fsspec.config.conf["s3"]["anon"] is True
    finally:
        fsspec.config.conf.clear()
        fsspec.config.conf.update(saved)


def test_what_crosses_to_a_worker_and_back_is_plain_picklable_data(mixed_inputs: Path) -> None:
    import pickle

    from flows.runner import clean_batch
    from flows.sources import read_captures
    from schemas.records import ArticleRecord, Capture, Quarantined

    captures = [c for c in read_captures([str(mixed_inputs)]) if isinstance(c, Capture)]
    results = clean_batch(captures)
    assert {type(r) for r in results} == {ArticleRecord, Quarantined}
    assert pickle.loads(pickle.dumps(captures)) == captures
    assert pickle.loads(pickle.dumps(results)) == results  # no parse trees or other deep objects inside


@pytest.mark.prefect
def test_ingest_flow_cleans_on_a_dask_cluster_and_commits_here(
    prefect_harness: None, mixed_inputs: Path, tmp_path: Path
) -> None:
    from distributed import LocalCluster

    from flows.prefect_flows import ingest_flow
    from schemas.archive import read_table

    archive = tmp_path / "archive"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        report = ingest_flow(
            sources=[str(mixed_inputs)], archive=str(archive), batch_size=2, dask_address=cluster.scheduler_address
        )
        rerun = ingest_flow(sources=[str(mixed_inputs)], archive=str(archive), dask_address=cluster.scheduler_address)
    assert (report["seen"], report["archived"], report["quarantined"]) == (5, 2, 3)
    assert read_table(archive).num_rows == 2
    assert (rerun["seen"], rerun["archived"], rerun["duplicates"]) == (5, 0, 5)


@pytest.fixture
def fsspec_conf() -> Iterator[None]:
    """Restore fsspec's per-protocol defaults after a test that lets the CLI set them."""
    import fsspec.config

    saved = {k: dict(v) for k, v in fsspec.config.conf.items()}
    yield
    fsspec.config.conf.clear()
    fsspec.config.conf.update(saved)


def test_plain_run_from_a_bucket_with_the_endpoint_as_a_storage_option(
    s3_endpoint: str, mixed_inputs: Path, monkeypatch: pytest.MonkeyPatch, fsspec_conf: None
) -> None:
    import s3fs

    from flows.cli import main
    from schemas.archive import read_table

    for name, value in S3_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL", "FSSPEC_S3_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    fs = s3fs.S3FileSystem(key="testing", secret="testing", endpoint_url=s3_endpoint, skip_instance_cache=True)
    fs.mkdir("plain-inbox")
    fs.put(str(mixed_inputs), "plain-inbox/landing", recursive=True)
    endpoint = f"endpoint_url={s3_endpoint}"
    args = ["s3://plain-inbox/landing", "--archive", "s3://plain-inbox/archive", "--no-prefect"]
    assert main(["run", *args, "--storage-option", endpoint]) == 0
    assert read_table("s3://plain-inbox/archive").num_rows == 2
    assert fs.find("plain-inbox/archive/articles", refresh=True)
    assert main(["run", *args, "--storage-option", "endpoint_url"]) == 2  # not key=value


class _FakeTaskFuture:
    """A Prefect Dask future stand-in: the batch is cleaned when its result is asked for."""

    def __init__(self, captures: list[Capture]) -> None:
        self.captures = captures
        self.cancelled = False
        self.wrapped_future = self

    def result(self) -> list[CleanResult]:
        return [Quarantined(capture, "clean", "fake", "cleaned by the fake cluster") for capture in self.captures]

    def cancel(self) -> None:
        self.cancelled = True


class _FakeDaskRunner:
    """prefect-dask's DaskTaskRunner stand-in: one worker thread, records every submitted batch."""

    submitted: ClassVar[list[_FakeTaskFuture]] = []

    def __init__(self, address: str) -> None:
        self.client = self

    def __enter__(self) -> _FakeDaskRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def scheduler_info(self) -> dict[str, Any]:
        return {"workers": {"tcp://fake:1": {"nthreads": 1}}}

    def scatter(self, items: list[list[Capture]], hash: bool) -> list[list[Capture]]:
        return items

    def submit(self, task: Any, parameters: dict[str, Any]) -> _FakeTaskFuture:
        future = _FakeTaskFuture(parameters["captures"])
        self.submitted.append(future)
        return future


def _text_capture(number: int) -> Capture:
    raw = f"Capture {number} of the fake cluster test.".encode()
    return Capture(raw=raw, format="text", source=f"c{number}", captured_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_dask_batches_are_committed_in_order_and_a_failed_commit_cancels_the_queue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import prefect_dask

    monkeypatch.setattr(prefect_dask, "DaskTaskRunner", _FakeDaskRunner)
    _FakeDaskRunner.submitted = []
    rejected = unreadable("broken.warc#0", "html", b"", "bad_warc", "cut short")
    batches = [[_text_capture(0)], [rejected], [_text_capture(1)], [_text_capture(2)], [_text_capture(3)]]
    committed: list[tuple[int, list[str]]] = []

    def commit(run: IngestRun, pairs: list[tuple[Capture, CleanResult]], batch_no: int) -> None:
        committed.append((batch_no, [capture.source for capture, _ in pairs]))

    archive_on_dask(IngestRun(tmp_path / "a"), iter(batches), "tcp://fake:8786", commit)
    assert committed == [(0, ["c0"]), (1, ["broken.warc#0"]), (2, ["c1"]), (3, ["c2"]), (4, ["c3"])]
    assert len(_FakeDaskRunner.submitted) == 4  # the batch with nothing to clean was not sent

    _FakeDaskRunner.submitted = []

    def failing_commit(run: IngestRun, pairs: list[tuple[Capture, CleanResult]], batch_no: int) -> None:
        raise OSError("the archive's disk is full")

    with pytest.raises(OSError, match="disk is full"):
        archive_on_dask(IngestRun(tmp_path / "b"), iter(batches[2:]), "tcp://fake:8786", failing_commit)
    first, queued = _FakeDaskRunner.submitted  # at most two in flight for one worker thread
    assert not first.cancelled and queued.cancelled
