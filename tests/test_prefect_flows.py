"""The Prefect path: the ingest flow under the session's test harness, batched tasks, artifact."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.archive import read_table

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_harness")]


def test_flow_archives_and_reports_like_the_plain_runner(mixed_inputs: Path, tmp_path: Path) -> None:
    from flows.prefect_flows import ingest_flow
    from flows.runner import archive_captures

    via_prefect = ingest_flow(sources=[str(mixed_inputs)], archive=str(tmp_path / "a"), batch_size=2)
    plain = archive_captures([mixed_inputs], tmp_path / "b", batch_size=2)
    keys = ("seen", "archived", "duplicates", "quarantined", "quarantine_reasons")
    assert {k: via_prefect[k] for k in keys} == {k: getattr(plain, k) for k in keys}
    a = read_table(tmp_path / "a").sort_by("capture_id").select(["capture_id", "body", "authors"])
    b = read_table(tmp_path / "b").sort_by("capture_id").select(["capture_id", "body", "authors"])
    assert a.equals(b)


def test_flow_with_worker_processes_archives_each_capture_once(mixed_inputs: Path, tmp_path: Path) -> None:
    from flows.prefect_flows import ingest_flow

    first = ingest_flow(sources=[str(mixed_inputs)], archive=str(tmp_path / "a"), batch_size=1, workers=2)
    assert (first["seen"], first["archived"], first["quarantined"]) == (5, 2, 3)
    again = ingest_flow(sources=[str(mixed_inputs)], archive=str(tmp_path / "a"), batch_size=1, workers=2)
    assert (again["seen"], again["duplicates"]) == (5, 5)
    assert read_table(tmp_path / "a").num_rows == 2


def test_a_rerun_runs_no_batch_task_for_captures_already_archived(
    mixed_inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch of known captures is counted in the flow itself: no task run (7-10 ms each)."""
    import flows.prefect_flows
    from flows.prefect_flows import ingest_flow

    ingest_flow(sources=[str(mixed_inputs)], archive=str(tmp_path / "a"), batch_size=2)
    batch_tasks = []
    monkeypatch.setattr(flows.prefect_flows, "cleaned_pairs", lambda *args: batch_tasks.append(args) or [])
    again = ingest_flow(sources=[str(mixed_inputs)], archive=str(tmp_path / "a"), batch_size=2)
    assert (again["seen"], again["duplicates"], batch_tasks) == (5, 5, [])


def test_a_batch_is_one_task_run_that_cleans_and_commits(mixed_inputs: Path, tmp_path: Path) -> None:
    """No task run nested in a batch's (each costs the flow and the server a few ms)."""
    import time

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.prefect_flows import ingest_flow

    state = ingest_flow(sources=[str(mixed_inputs)], archive=str(tmp_path / "a"), batch_size=2, return_state=True)
    assert state.result()["seen"] == 5
    this_run = FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
    names: list[str] = []
    with get_client(sync_client=True) as client:
        for _ in range(50):  # the server records task runs in batches, a moment after they end
            if len(names) >= 5:
                time.sleep(1.0)  # and once five are in, time for any others to be recorded too
                names = sorted(run.name for run in client.read_task_runs(flow_run_filter=this_run))
                break
            names = sorted(run.name for run in client.read_task_runs(flow_run_filter=this_run))
            time.sleep(0.2)
    batches = [name for name in names if name.startswith("batch-")]
    others = sorted(name.rsplit("-", 1)[0] for name in names if not name.startswith("batch-"))  # "-<random>"
    assert (batches, others) == (["batch-0", "batch-1", "batch-2"], ["finish-run", "list-inputs"])


def test_flow_publishes_its_report_as_an_artifact(mixed_inputs: Path, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.prefect_flows import ingest_flow

    report = ingest_flow(sources=[str(mixed_inputs)], archive=str(tmp_path / "a"))
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["article-archive-run-report"]))
        )
    assert any(report["run_id"] in str(artifact.data) for artifact in artifacts)
    assert any("| quarantined | 3 |" in str(artifact.data) for artifact in artifacts)


def test_flow_rejects_bad_parameters() -> None:
    from prefect.exceptions import ParameterTypeError

    from flows.prefect_flows import ingest_flow

    with pytest.raises(ParameterTypeError):
        ingest_flow(sources="not-a-list-of-paths", batch_size="many")  # type: ignore[arg-type]
