"""Scheduled runs on one machine: find or start a Prefect server, then serve the ingest flow on a schedule.

``flow.serve`` never runs anything against Prefect's ephemeral server ("Cannot schedule flows on
an ephemeral server"), so ``article-archive serve`` first finds a real one: the server that
``PREFECT_API_URL`` names (it must answer its health check), or else a local server it starts
itself, bound to 127.0.0.1, and stops again on exit. Each scheduled run is a child process of
the runner; the deployment's concurrency limit of 1 queues a run while the previous one writes.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from flows.prefect_env import apply_prefect_defaults
from flows.processes import stop_process_group

LOCAL_HOST = "127.0.0.1"
DEFAULT_PORT = 4200
#: A fresh database is migrated first: measured 11–13 s on 2 cores; later starts about 5 s.
SERVER_START_TIMEOUT_S = 120.0
SERVER_STOP_TIMEOUT_S = 15.0
DEFAULT_DEPLOYMENT_NAME = "scheduled"
TERMINAL_STATES = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")
Say = Callable[[str], None]


class ServerError(RuntimeError):
    """No usable Prefect server: the configured one does not answer, or a local one did not start."""


@dataclass
class PrefectServer:
    """A Prefect API to schedule against; ``process`` is set when this process started it."""

    api_url: str
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    started_s: float = 0.0


@dataclass(frozen=True)
class Schedule:
    """When to run: a cron expression (UTC unless ``timezone``) or an interval in seconds."""

    cron: str | None = None
    interval_s: float | None = None
    timezone: str | None = None

    def __post_init__(self) -> None:
        if (self.cron is None) == (self.interval_s is None):
            raise ValueError("give exactly one of a cron expression or an interval")
        if self.interval_s is not None and self.interval_s <= 0:
            raise ValueError(f"the interval must be positive, got {self.interval_s}")
        if self.timezone is not None and self.timezone not in zoneinfo.available_timezones():
            raise ValueError(f"unknown time zone {self.timezone!r} (use an IANA name such as Europe/Paris)")
        self.to_prefect()  # an invalid cron expression fails here, naming itself

    def to_prefect(self) -> Any:
        from prefect.schedules import Cron, Interval

        if self.cron is not None:
            return Cron(self.cron, timezone=self.timezone or "UTC")
        return Interval(timedelta(seconds=self.interval_s or 0), timezone=self.timezone or "UTC")

    def describe(self) -> str:
        return f"cron {self.cron!r} ({self.timezone or 'UTC'})" if self.cron else f"every {self.interval_s:g} s"


@dataclass(frozen=True)
class StopWhen:
    """When a served process stops by itself (tests, one-off catch-ups); both None: never."""

    max_runs: int | None = None
    stop_after_s: float | None = None

    @property
    def never(self) -> bool:
        return self.max_runs is None and self.stop_after_s is None


@dataclass
class ServeOutcome:
    """How the served runs that finished while serving ended (state names, oldest first)."""

    states: list[str] = field(default_factory=list)

    @property
    def all_completed(self) -> bool:
        return all(state == "COMPLETED" for state in self.states)


def health_url(api_url: str) -> str:
    return api_url.rstrip("/") + "/health"


def is_healthy(api_url: str, timeout_s: float = 2.0) -> bool:
    """Whether ``GET <api>/health`` answers 200 (a plain request: no Prefect import needed)."""
    try:
        with urllib.request.urlopen(health_url(api_url), timeout=timeout_s) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False


def free_port(preferred: int | None = None) -> int:
    """``preferred`` if nothing listens on it on 127.0.0.1, else a port the OS picks."""
    for port in (preferred, 0) if preferred else (0,):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((LOCAL_HOST, port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise ServerError("no free port on 127.0.0.1")


def server_command(port: int) -> list[str]:
    return [sys.executable, "-m", "prefect", "server", "start", "--host", LOCAL_HOST, "--port", str(port)]


def start_local_server(
    port: int | None = None,
    *,
    log_path: Path,
    env: dict[str, str] | None = None,
    timeout_s: float = SERVER_START_TIMEOUT_S,
) -> PrefectServer:
    """Start ``prefect server start`` on 127.0.0.1 in its own process group; wait for its health check."""
    port = port or free_port()
    child_env = {**os.environ, **(env or {})}
    child_env.pop("PREFECT_API_URL", None)
    apply_prefect_defaults(child_env)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            server_command(port), stdout=log, stderr=subprocess.STDOUT, env=child_env, start_new_session=True
        )
    server = PrefectServer(f"http://{LOCAL_HOST}:{port}/api", process, log_path)
    try:
        wait_until_healthy(server, timeout_s)
    except BaseException:
        stop_server(server)
        raise
    server.started_s = time.perf_counter() - started
    return server


def wait_until_healthy(server: PrefectServer, timeout_s: float) -> None:
    """Poll the health check until it answers; fail early if the server process exits."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if is_healthy(server.api_url, timeout_s=1.0):
            return
        if server.process is not None and server.process.poll() is not None:
            raise ServerError(f"the Prefect server exited with code {server.process.returncode}: {_log_tail(server)}")
        time.sleep(0.25)
    raise ServerError(f"the Prefect server did not answer {health_url(server.api_url)} in {timeout_s:g} s")


def _log_tail(server: PrefectServer, lines: int = 15) -> str:
    if server.log_path is None or not server.log_path.exists():
        return "(no log)"
    tail = server.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return f"last lines of {server.log_path}:\n" + "\n".join(tail)


def stop_server(server: PrefectServer, timeout_s: float = SERVER_STOP_TIMEOUT_S) -> None:
    """Stop a server this process started (its whole process group): SIGTERM, then SIGKILL."""
    if server.process is not None:
        stop_process_group(server.process, timeout_s)


def configured_api_url() -> str | None:
    """``PREFECT_API_URL`` from the environment or the active Prefect profile."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def configured_server_health(api_url: str) -> Exception | None:
    """The configured server's health check, through Prefect's client (so Cloud auth applies)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.api_healthcheck()


@contextmanager
def prefect_server(say: Say, *, port: int | None = None, home: Path | None = None) -> Iterator[PrefectServer]:
    """The configured Prefect server, or a local one started here and stopped on exit."""
    configured = configured_api_url()
    if configured:
        problem = configured_server_health(configured)
        if problem is not None:
            raise ServerError(
                f"PREFECT_API_URL is {configured} but its health check failed ({problem}); start that server, "
                "or unset PREFECT_API_URL to let article-archive start a local one"
            )
        say(f"using the Prefect server at {configured} (PREFECT_API_URL)")
        yield PrefectServer(configured)
        return
    yield from _local_server(say, port, home)


def _local_server(say: Say, port: int | None, home: Path | None) -> Iterator[PrefectServer]:
    from prefect.settings import PREFECT_API_URL, PREFECT_HOME, temporary_settings

    log_path = (home or Path(PREFECT_HOME.value())) / "article-archive-server.log"
    say(f"no PREFECT_API_URL: starting a local Prefect server on {LOCAL_HOST} (log: {log_path})")
    server = start_local_server(free_port(port or DEFAULT_PORT), log_path=log_path)
    pid = server.process.pid if server.process else None
    say(f"started a local Prefect server at {server.api_url} in {server.started_s:.1f} s (pid {pid})")
    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = server.api_url  # the runner's child processes inherit it
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield server
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous
        stop_server(server)
        say(f"stopped the local Prefect server (pid {pid})")


def deployment_parameters(
    sources: list[str], archive: str, *, batch_size: int, workers: int, include: list[str] | None,
    exclude: list[str] | None, dask_address: str | None = None, extraction: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The flow parameters a scheduled run gets (validated now, not at the first run)."""
    from flows.prefect_flows import ingest_flow

    params = {"sources": sources, "archive": archive, "batch_size": batch_size, "workers": workers}
    optional = (("include", include), ("exclude", exclude), ("dask_address", dask_address), ("extraction", extraction))
    params |= {k: v for k, v in optional if v}
    ingest_flow.validate_parameters(params)
    return params


async def build_deployment(name: str, schedule: Schedule, parameters: dict[str, Any]) -> Any:
    """The ingest flow as a served deployment: one run at a time, others queued."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.types.entrypoint import EntrypointType

    from flows.prefect_flows import ingest_flow

    return await ingest_flow.ato_deployment(
        name,
        schedule=schedule.to_prefect(),
        parameters=parameters,
        concurrency_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE),
        description=f"Archive new captures under {', '.join(parameters['sources'])} into {parameters['archive']}",
        tags=["article-archive"],
        entrypoint_type=EntrypointType.MODULE_PATH,  # importable from any working directory
    )


async def finished_states(deployment_id: UUID, since: datetime) -> list[str]:
    """States of this deployment's runs that ended after ``since``, oldest first."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterEndTime,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.sorting import FlowRunSort

    async with get_client() as client:
        runs = await client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=list(TERMINAL_STATES))),
                end_time=FlowRunFilterEndTime(after_=since),
            ),
            sort=FlowRunSort.END_TIME_DESC,
        )
    return [run.state_type.value for run in reversed(runs) if run.state_type is not None]


async def drop_stale_runs(deployment_id: UUID, before: datetime) -> int:
    """Delete the scheduler's runs of this deployment that fell due before ``before`` and never ran.

    They were created with the parameters the deployment had then (maybe another archive), and
    runs are incremental: the next run picks up whatever they would have. Runs started by hand
    (``prefect deployment run``) are kept.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterExpectedStartTime,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )

    async with get_client() as client:
        runs = await client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=["SCHEDULED"])),
                expected_start_time=FlowRunFilterExpectedStartTime(before_=before),
            ),
        )
        stale = [run for run in runs if run.auto_scheduled]
        for run in stale:
            await client.delete_flow_run(run.id)
    return len(stale)


async def serve_deployment(deployment: Any, stop: StopWhen, say: Say, poll_s: float = 1.0) -> ServeOutcome:
    """Serve until Ctrl-C / SIGTERM, or until ``stop`` says so (then in-flight runs are cancelled)."""
    from prefect.runner import Runner

    runner = Runner(name=f"article-archive-{deployment.name}")
    since = datetime.now(UTC)
    deployment_id = await runner.aadd_deployment(deployment)
    dropped = await drop_stale_runs(deployment_id, since)
    if dropped:
        say(f"dropped {dropped} scheduled run(s) that fell due while nothing served this deployment")
    outcome = ServeOutcome()
    if stop.never:
        await runner.start()
        return outcome
    deadline = time.monotonic() + stop.stop_after_s if stop.stop_after_s is not None else None
    async with asyncio.TaskGroup() as group:
        group.create_task(runner.start())
        while not _should_stop(outcome, stop, deadline):
            await asyncio.sleep(poll_s)
            states = await finished_states(deployment_id, since)
            for state in states[len(outcome.states) :]:
                say(f"run finished: {state}")
            outcome.states = states
        while not runner.started:
            await asyncio.sleep(0.1)
        await runner.astop()
    return outcome


def _should_stop(outcome: ServeOutcome, stop: StopWhen, deadline: float | None) -> bool:
    if stop.max_runs is not None and len(outcome.states) >= stop.max_runs:
        return True
    return deadline is not None and time.monotonic() >= deadline


def serve_ingest(
    name: str, schedule: Schedule, parameters: dict[str, Any], stop: StopWhen, say: Say, *, port: int | None = None
) -> ServeOutcome:
    """Find or start a server, serve the ingest deployment on ``schedule``, stop the server it started."""
    with prefect_server(say, port=port):
        deployment = asyncio.run(build_deployment(name, schedule, parameters))
        say(
            f"serving 'article-archive-ingest/{name}' {schedule.describe()}: {', '.join(parameters['sources'])} "
            f"-> {parameters['archive']} (one run at a time; Ctrl-C stops)"
        )
        try:
            return asyncio.run(serve_deployment(deployment, stop, say))
        except KeyboardInterrupt:
            say("interrupted: stopping")
            return ServeOutcome()


def stream_say(stream: IO[str]) -> Say:
    def say(message: str) -> None:
        print(f"{datetime.now():%H:%M:%S} article-archive serve: {message}", file=stream, flush=True)

    return say


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _stop_on_sigterm() -> None:
    """SIGTERM before the runner takes over (it installs its own) still stops the server started here."""
    signal.signal(signal.SIGTERM, _interrupt)


def missing_local_sources(sources: list[str]) -> list[str]:
    """Local sources that do not exist (URLs are checked by each run, with retries)."""
    return [s for s in sources if "://" not in s and not Path(s).exists()]


def run_serve_command(args: Any, console: Any) -> int:
    """``article-archive serve``: 0 when every run that finished while serving completed."""
    say = stream_say(sys.stdout)
    missing = missing_local_sources(list(args.paths))
    if missing:
        console.print(f"[red]error:[/red] no such file or folder: {', '.join(missing)}")
        return 2
    sources = [str(Path(s).resolve()) if "://" not in s else s for s in args.paths]
    archive = str(Path(args.archive).resolve()) if "://" not in args.archive else args.archive
    try:
        schedule = Schedule(cron=args.cron, interval_s=args.interval, timezone=args.timezone)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        return 2
    parameters = deployment_parameters(
        sources,
        archive,
        batch_size=args.batch_size,
        workers=args.workers,
        include=args.include,
        exclude=args.exclude,
        dask_address=args.dask_address,
        extraction=args.extraction,
    )
    _stop_on_sigterm()
    try:
        outcome = serve_ingest(
            args.name, schedule, parameters, StopWhen(args.max_runs, args.stop_after), say, port=args.port
        )
    except ServerError as exc:
        console.print(f"[red]error:[/red] {exc}")
        return 2
    if outcome.states:
        say(f"stopped after {len(outcome.states)} finished run(s): {', '.join(outcome.states)}")
    return 0 if outcome.all_completed else 1
