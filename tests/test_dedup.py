"""Archive dedup across runs: exact (capture, content), revisions, near-duplicates (SimHash)."""

from __future__ import annotations

from pathlib import Path

from test_archive import make_pair

from schemas.archive import ArchiveWriter, read_table

STORY = (
    "The city council voted on Tuesday to extend the tram line to the new hospital, ending two years "
    "of debate over the route. Construction is expected to start next spring and to take three years, "
    "the mayor said, adding that the regional government would pay for most of the work. Residents of "
    "the eastern districts, who had campaigned for the extension, welcomed the decision, while shop "
    "owners on the main avenue asked for help during the works. The new line will have six stops, "
    "two of them underground, and trams will run every eight minutes at peak hours. Planners expect "
    "about twenty thousand passengers a day once the line opens, most of them hospital staff, patients "
    "and students of the nearby college. The opposition said the cost estimate was too optimistic and "
    "asked for an independent review before any contract is signed. A public consultation on the "
    "design of the stations will open next month and run until the end of the year, and the plans "
    "will be shown in the town hall and in the library of each district. The council also agreed to "
    "plant trees along the whole route and to build a cycle path beside the tracks where the road is "
    "wide enough, a demand of local cycling groups that had been left out of the first draft."
)


def commit(archive: Path, pairs: list) -> object:
    writer = ArchiveWriter(archive, cleaner_version="0")
    writer.add(pairs)
    return writer.close()


def test_same_capture_in_two_runs_is_archived_once(tmp_path: Path) -> None:
    pair = make_pair(STORY, url="https://news.example.com/tram")
    assert commit(tmp_path, [pair]).archived == 1
    again = commit(tmp_path, [pair])
    assert (again.archived, again.duplicates) == (0, 1)
    assert read_table(tmp_path).num_rows == 1
    assert read_table(tmp_path, "captures").num_rows == 1


def test_same_content_from_different_bytes_is_one_article_but_both_raw_captures_are_kept(tmp_path: Path) -> None:
    url = "https://news.example.com/tram"
    first = make_pair(STORY, url=url, raw=b"<html>capture one</html>")
    second = make_pair(STORY + "  ", url=url, raw=b"<html>capture two, other chrome</html>")
    stats = commit(tmp_path, [first, second])
    assert (stats.archived, stats.duplicates, stats.content_duplicates) == (1, 1, 1)
    assert read_table(tmp_path, "captures").num_rows == 2


def test_changed_content_at_the_same_url_is_a_new_revision(tmp_path: Path) -> None:
    url = "https://news.example.com/tram"
    commit(tmp_path, [make_pair(STORY, url=url)])
    updated = STORY.replace("next spring", "in the autumn") + " The council will vote again on the budget."
    stats = commit(tmp_path, [make_pair(updated, url=url)])
    assert (stats.archived, stats.revisions) == (1, 1)
    rows = sorted(read_table(tmp_path).to_pylist(), key=lambda r: r["revision"])
    assert [r["revision"] for r in rows] == [1, 2]
    assert rows[0]["article_id"] == rows[1]["article_id"]
    assert "next spring" in rows[0]["body"] and "autumn" in rows[1]["body"]  # the first is never overwritten


def test_syndicated_copy_on_another_site_is_linked_not_dropped(tmp_path: Path) -> None:
    original = make_pair(STORY, url="https://wire.example.com/tram")
    copy_body = "LYON (Wire) — " + STORY + " (Reporting by Jane Doe; editing by John Roe.)"
    copy = make_pair(copy_body, url="https://daily.example.org/local/tram-extension")
    unrelated = make_pair(
        "Heavy snow closed the mountain pass for the third time this winter, and the road authority "
        "said it would stay shut until the avalanche risk had fallen. Drivers were told to use the "
        "coastal route, which adds about two hours to the journey between the two valleys.",
        url="https://daily.example.org/weather/pass",
    )
    stats = commit(tmp_path, [original, copy, unrelated])
    assert (stats.archived, stats.near_duplicates) == (3, 1)
    rows = {r["url"]: r for r in read_table(tmp_path).to_pylist()}
    assert rows["https://daily.example.org/local/tram-extension"]["duplicate_of"] == original[1].article_id
    assert rows["https://wire.example.com/tram"]["duplicate_of"] is None
    assert rows["https://daily.example.org/weather/pass"]["duplicate_of"] is None


def test_dedup_state_is_rebuilt_from_the_files_by_a_new_writer(tmp_path: Path) -> None:
    url = "https://news.example.com/tram"
    commit(tmp_path, [make_pair(STORY, url=url)])
    other_bytes_same_text = make_pair(STORY, url=url, raw=b"different raw bytes")
    stats = commit(tmp_path, [other_bytes_same_text])
    assert (stats.archived, stats.content_duplicates) == (0, 1)
