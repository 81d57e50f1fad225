"""Scheduled runs: a served deployment fires on a real server, runs are incremental, I/O is retried."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ARTICLE_HTML, write_capture

from flows.runner import IngestRun, clean_batch
from schemas.archive import ArchiveStore, read_table

SERVE_TIMEOUT_S = 150
#: Added to the timeout of each test on the session server: the first one waits for it to start.
SERVER_START_S = 120
ROOT = Path(__file__).resolve().parent.parent


def harbour_capture(folder: Path, day: int) -> Path:
    """An HTML capture that cleans to an article (one per day: different bytes, different article)."""
    html = ARTICLE_HTML.replace("on Monday", f"on day {day} of the month")
    sidecar = {
        "url": f"https://news.example.com/2026/11/{day:02d}/harbour",
        "captured_at": f"2026-11-{day:02d}T08:30:00Z",
    }
    return write_capture(folder, f"harbour-{day:02d}.html", html, sidecar)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A real ``prefect server start`` on 127.0.0.1 with a fresh PREFECT_HOME, stopped at the end."""
    from flows.serve import is_healthy, start_local_server, stop_server

    home = tmp_path_factory.mktemp("prefect-server-home")
    server = start_local_server(log_path=home / "server.log", env={"PREFECT_HOME": str(home)})
    try:
        yield server
    finally:
        stop_server(server)
    assert server.process is not None and server.process.poll() is not None
    assert not is_healthy(server.api_url)


@pytest.fixture
def client_env(prefect_server: object, tmp_path: Path) -> dict[str, str]:
    """Environment of a client of the test server: its URL, a PREFECT_HOME of its own, fast polling."""
    home = tmp_path / "client-home"
    home.mkdir()
    return {
        **os.environ,
        "PREFECT_API_URL": prefect_server.api_url,  # type: ignore[attr-defined]
        "PREFECT_HOME": str(home),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }


@pytest.fixture
def on_test_server(prefect_server: object) -> Iterator[None]:
    """Prefect calls made in this process go to the test server."""
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: prefect_server.api_url}):  # type: ignore[attr-defined]
        try:
            yield
        finally:
            APILogWorker.drain_all(timeout=5)  # send queued run logs while the server still runs


def run_bounded(
    command: list[str], env: dict[str, str], timeout_s: float = SERVE_TIMEOUT_S, cwd: Path | None = None
) -> tuple[int, str]:
    """Run a command in its own process group; kill the whole group if it outlives ``timeout_s``."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True, start_new_session=True, cwd=cwd
    )
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"{command[:3]} did not stop within {timeout_s} s:\n{output[-3000:]}")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    return process.returncode, output


def serve_command(landing: Path, archive: Path, *extra: str) -> list[str]:
    cli = [sys.executable, "-m", "flows.cli", "serve", str(landing), "--archive", str(archive)]
    return [*cli, "--interval", "5", "--max-runs", "1", *extra]


# --- the schedule fires on a real server ------------------------------------------------------


@pytest.mark.timeout(SERVER_START_S + SERVE_TIMEOUT_S + 30)
def test_served_schedule_fires_archives_a_dropped_capture_and_stops(
    landing: Path, tmp_path: Path, client_env: dict[str, str]
) -> None:
    archive = tmp_path / "archive"
    harbour_capture(landing, 20)

    code, output = run_bounded(serve_command(landing, archive, "--name", "fires"), client_env)
    assert code == 0, output
    assert "using the Prefect server at http://127.0.0.1:" in output
    assert "seen 1, archived 1, duplicates 0, quarantined 0" in output
    assert "stopped after 1 finished run(s): COMPLETED" in output
    assert read_table(archive).column("url").to_pylist() == ["https://news.example.com/2026/11/20/harbour"]


@pytest.mark.timeout(SERVER_START_S + SERVE_TIMEOUT_S + 30)
def test_a_scheduled_run_over_the_same_folder_archives_only_the_new_capture(
    landing: Path, tmp_path: Path, client_env: dict[str, str]
) -> None:
    from flows.runner import archive_captures

    archive = tmp_path / "archive"
    harbour_capture(landing, 20)
    assert archive_captures([landing], archive).archived == 1  # an earlier run
    harbour_capture(landing, 21)  # the scrapers dropped one more capture

    code, output = run_bounded(serve_command(landing, archive, "--name", "incremental"), client_env)
    assert code == 0, output
    assert "seen 2, archived 1, duplicates 1, quarantined 0" in output
    assert sorted(read_table(archive).column("url").to_pylist()) == [
        "https://news.example.com/2026/11/20/harbour",
        "https://news.example.com/2026/11/21/harbour",
    ]


@pytest.mark.slow
@pytest.mark.timeout(SERVER_START_S + SERVE_TIMEOUT_S + 60)
def test_serve_without_a_server_starts_a_local_one_and_stops_it(landing: Path, tmp_path: Path) -> None:
    from flows.serve import is_healthy

    harbour_capture(landing, 20)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(tmp_path / "home"), "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    command = serve_command(landing, tmp_path / "archive", "--port", "4399")
    code, output = run_bounded(command, env, timeout_s=SERVER_START_S + SERVE_TIMEOUT_S)  # 147 s at load average 10
    assert code == 0, output
    assert "started a local Prefect server at http://127.0.0.1:" in output
    assert "stopped the local Prefect server" in output
    url = output.split("started a local Prefect server at ")[1].split()[0]
    assert not is_healthy(url)
    assert read_table(tmp_path / "archive").num_rows == 1


@pytest.mark.timeout(SERVER_START_S + SERVE_TIMEOUT_S + 30)
def test_serve_stops_after_its_time_limit_when_no_run_is_due(
    landing: Path, tmp_path: Path, client_env: dict[str, str]
) -> None:
    started = time.perf_counter()
    command = serve_command(landing, tmp_path / "archive", "--name", "idle", "--stop-after", "3")
    command[command.index("--interval") : command.index("--interval") + 2] = ["--cron", "0 0 1 1 *"]
    code, output = run_bounded(command, client_env)
    assert code == 0, output
    assert "serving 'article-archive-ingest/idle' cron '0 0 1 1 *' (UTC)" in output
    assert "run finished" not in output
    assert time.perf_counter() - started < 60
    assert not (tmp_path / "archive").exists()


def test_serve_refuses_a_configured_server_that_does_not_answer(landing: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api", "PREFECT_HOME": str(tmp_path / "home")}
    code, output = run_bounded(serve_command(landing, tmp_path / "archive"), env, timeout_s=60)
    assert code == 2
    assert "PREFECT_API_URL is http://127.0.0.1:9/api but its health check failed" in " ".join(output.split())


# --- parameters from the Prefect CLI / API are validated --------------------------------------


def _apply_deployment(name: str, landing: Path, archive: Path) -> None:
    from flows.serve import Schedule, build_deployment

    params = {"sources": [str(landing)], "archive": str(archive)}
    deployment = asyncio.run(build_deployment(name, Schedule(cron="0 * * * *"), params))
    deployment.paused = True  # nobody serves it here: runs are created, not executed
    deployment.apply()


@pytest.mark.timeout(SERVER_START_S + 120)
@pytest.mark.usefixtures("on_test_server")
def test_deployment_runs_validate_their_parameters(landing: Path, tmp_path: Path, client_env: dict[str, str]) -> None:
    from prefect.deployments import run_deployment

    _apply_deployment("params", landing, tmp_path / "archive")

    with pytest.raises(Exception, match="batch_size") as refused:
        run_deployment("article-archive-ingest/params", parameters={"batch_size": 0}, timeout=0)
    assert "minimum of 1" in str(refused.value)
    with pytest.raises(Exception, match="sources"):
        run_deployment("article-archive-ingest/params", parameters={"sources": []}, timeout=0)

    accepted = run_deployment(
        "article-archive-ingest/params", parameters={"since": "2026-11-01", "workers": 2}, timeout=0
    )
    assert accepted.parameters["since"] == "2026-11-01"
    assert accepted.parameters["sources"] == [str(landing)]

    prefect = [sys.executable, "-m", "prefect", "deployment", "run", "article-archive-ingest/params"]
    code, output = run_bounded([*prefect, "--param", "workers=-1"], client_env, timeout_s=90)
    assert code != 0
    assert "workers" in output
    assert "minimum of 0" in output


@pytest.mark.timeout(SERVER_START_S + 150)
def test_prefect_yaml_deploys_the_hourly_deployment_to_a_work_pool(
    landing: Path, tmp_path: Path, client_env: dict[str, str]
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    env = client_env | {
        "ARTICLE_ARCHIVE_HOME": str(ROOT),
        "ARTICLE_ARCHIVE_LANDING": str(landing),
        "ARTICLE_ARCHIVE_ARCHIVE": str(tmp_path / "archive"),
    }
    prefect = [sys.executable, "-m", "prefect", "--no-prompt"]
    code, output = run_bounded([*prefect, "work-pool", "create", "article-archive", "--type", "process"], env, 90)
    assert code == 0, output
    code, output = run_bounded([*prefect, "deploy", "--name", "hourly"], env, 90, cwd=ROOT)
    assert code == 0, output

    on_server = temporary_settings(updates={PREFECT_API_URL: client_env["PREFECT_API_URL"]})
    with on_server, get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("article-archive-ingest/hourly")
    assert [s.schedule.cron for s in deployment.schedules] == ["0 * * * *"]
    assert deployment.global_concurrency_limit is not None
    assert deployment.global_concurrency_limit.limit == 1
    assert deployment.work_pool_name == "article-archive"
    assert deployment.parameters["sources"] == [str(landing)]
    assert deployment.parameters["archive"] == str(tmp_path / "archive")


def test_flow_parameters_are_validated_with_messages_naming_them() -> None:
    from prefect.exceptions import ParameterTypeError

    from flows.prefect_flows import ingest_flow

    with pytest.raises(ParameterTypeError) as bad:
        ingest_flow.validate_parameters({"sources": [], "batch_size": 0, "workers": -1, "rows_per_file": 0})
    message = str(bad.value)
    for expected in (
        "sources: List should have at least 1 item",
        "batch_size: Input should be greater than or equal to 1",
    ):
        assert expected in message
    assert "workers: Input should be greater than or equal to 0" in message
    assert "rows_per_file" in message
    assert ingest_flow.validate_parameters({"sources": ["landing"], "since": "2026-11-01"})["since"].day == 1


def test_served_deployment_carries_the_dask_address() -> None:
    from flows.cli import build_parser
    from flows.serve import deployment_parameters

    args = build_parser().parse_args(["serve", "landing", "--interval", "60", "--dask-address", "tcp://10.0.0.5:8786"])
    params = deployment_parameters(
        args.paths, "archive", batch_size=50, workers=0, include=None, exclude=None, dask_address=args.dask_address
    )
    assert params["dask_address"] == "tcp://10.0.0.5:8786"
    assert "dask_address" not in deployment_parameters(
        ["landing"], "archive", batch_size=50, workers=0, include=None, exclude=None
    )


def test_served_deployment_carries_the_extraction_mode() -> None:
    from prefect.exceptions import ParameterTypeError

    from flows.cli import build_parser
    from flows.serve import deployment_parameters

    args = build_parser().parse_args(["serve", "landing", "--interval", "60", "--extraction", "fast"])
    params = deployment_parameters(
        args.paths, "archive", batch_size=50, workers=0, include=None, exclude=None, extraction=args.extraction
    )
    assert params["extraction"] == "fast"
    with pytest.raises(ParameterTypeError):
        deployment_parameters(
            ["landing"], "archive", batch_size=50, workers=0, include=None, exclude=None, extraction="slow"
        )


# --- incremental: known captures are not cleaned again -----------------------------------------


def test_rerun_over_a_growing_landing_folder_cleans_only_the_new_capture(landing: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    for day in (10, 11, 12):
        harbour_capture(landing, day)
    first = _run_counting(landing, archive)
    assert (first.report.seen, first.report.archived, first.cleaned) == (3, 3, 3)

    harbour_capture(landing, 13)
    second = _run_counting(landing, archive)
    assert (second.report.seen, second.report.archived, second.report.duplicates) == (4, 1, 3)
    assert second.cleaned == 1  # the three known captures were skipped before cleaning
    assert second.report.accounted
    assert read_table(archive).num_rows == 4


class _Counted:
    def __init__(self, report: object, cleaned: int) -> None:
        self.report = report  # type: ignore[assignment]
        self.cleaned = cleaned


def _run_counting(landing: Path, archive: Path) -> _Counted:
    cleaned = 0

    def counting_cleaner(captures: list) -> list:  # type: ignore[type-arg]
        nonlocal cleaned
        cleaned += len(captures)
        return clean_batch(captures)

    run = IngestRun(archive)
    batch = list(run.captures([str(landing)]))
    run.process(batch, counting_cleaner)
    return _Counted(run.finish(), cleaned)


# --- retries around I/O: nothing lost, nothing counted twice ----------------------------------


@pytest.fixture
def flaky_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """ArchiveStore.write fails once, on its first write to the captures table; returns the tables written."""
    calls: list[str] = []
    original = ArchiveStore.write

    def write(self: ArchiveStore, table: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(table)
        if table == "captures" and calls.count(table) == 1:
            raise ConnectionResetError(f"simulated storage hiccup writing {table}")
        return original(self, table, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ArchiveStore, "write", write)
    return calls


def test_a_failed_commit_retried_with_its_batch_key_loses_and_double_counts_nothing(
    landing: Path, tmp_path: Path, flaky_writes: list[str]
) -> None:
    harbour_capture(landing, 20)
    harbour_capture(landing, 21)
    run = IngestRun(tmp_path / "archive")
    batch = list(run.captures([str(landing)]))
    to_clean, _ = run.split_known(batch)
    pairs = list(zip(to_clean, clean_batch(to_clean), strict=True))
    with pytest.raises(ConnectionResetError):
        run.commit(pairs, batch_key=0)  # the articles file is written, the captures file is not
    run.commit(pairs, batch_key=0)  # the retry
    report = run.finish()
    assert report.seen == 2 and report.accounted
    # The articles written by the failed attempt are found on retry: reported as duplicates, stored once.
    assert report.archived + report.duplicates == 2
    assert read_table(tmp_path / "archive").num_rows == 2
    assert read_table(tmp_path / "archive", "captures").num_rows == 2


def test_a_failed_final_flush_keeps_the_buffered_rows_for_the_retry(
    landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = ArchiveStore.write

    def fail_first(self: ArchiveStore, table: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(table)
        if len(calls) == 1:
            raise TimeoutError("simulated timeout")
        return original(self, table, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ArchiveStore, "write", fail_first)
    for day in (20, 21, 22):
        harbour_capture(landing, day)
    run = IngestRun(tmp_path / "archive", max_rows_per_file=100)  # buffered across batches (backfill)
    for item in run.captures([str(landing)]):
        run.process([item])
    with pytest.raises(TimeoutError):
        run.finish()
    report = run.finish()  # the retry
    assert (report.seen, report.archived, report.duplicates) == (3, 3, 0)
    assert read_table(tmp_path / "archive").num_rows == 3


def test_only_transient_io_errors_are_retried() -> None:
    from flows.prefect_flows import is_transient_io_error

    assert is_transient_io_error(ConnectionResetError())
    assert is_transient_io_error(TimeoutError())
    assert is_transient_io_error(OSError(5, "Input/output error"))
    assert not is_transient_io_error(FileNotFoundError("landing"))
    assert not is_transient_io_error(PermissionError())
    assert not is_transient_io_error(ValueError("a cleaner bug"))


@pytest.mark.timeout(SERVER_START_S + 120)
@pytest.mark.usefixtures("on_test_server")
def test_the_flow_retries_a_failed_commit_and_publishes_its_report(
    landing: Path, tmp_path: Path, flaky_writes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    import flows.prefect_flows
    from flows.prefect_flows import REPORT_ARTIFACT_KEY, ingest_flow

    harbour_capture(landing, 20)
    cleanings: list[int] = []
    original_cleaned_pairs = flows.prefect_flows.cleaned_pairs

    def counted(*args):  # type: ignore[no-untyped-def]
        cleanings.append(1)
        return original_cleaned_pairs(*args)

    monkeypatch.setattr(flows.prefect_flows, "cleaned_pairs", counted)
    started = time.perf_counter()
    report = ingest_flow(sources=[str(landing)], archive=str(tmp_path / "archive"))
    assert time.perf_counter() - started >= 1.0  # waited for the backoff (2 s ± 50 %)
    assert flaky_writes.count("captures") == 2  # failed once, retried once
    assert len(cleanings) == 1  # the retry committed what the first attempt cleaned
    assert report["seen"] == 1 and report["seen"] == report["archived"] + report["duplicates"] + report["quarantined"]
    assert read_table(tmp_path / "archive", "captures").num_rows == 1
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[REPORT_ARTIFACT_KEY]))
        )
    assert any(report["run_id"] in str(artifact.data) for artifact in artifacts)


def test_schedule_needs_exactly_one_of_cron_and_interval() -> None:
    from flows.serve import Schedule

    with pytest.raises(ValueError, match="exactly one"):
        Schedule()
    with pytest.raises(ValueError, match="exactly one"):
        Schedule(cron="0 * * * *", interval_s=60)
    with pytest.raises(ValueError, match="Invalid cron string"):
        Schedule(cron="every hour")
    with pytest.raises(ValueError, match="unknown time zone"):
        Schedule(cron="0 * * * *", timezone="Mars/Base")
    assert Schedule(cron="0 * * * *").describe() == "cron '0 * * * *' (UTC)"
    assert Schedule(interval_s=5).describe() == "every 5 s"
