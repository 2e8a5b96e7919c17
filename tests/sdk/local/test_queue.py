"""The SQLite queue: leases, receive counts, retries, dead letters, replay and purge."""

from __future__ import annotations

import time
from pathlib import Path

from stac_ingest.sdk.local.queue import LocalQueue


def test_send_receive_ack(tmp_path: Path) -> None:
    queue = LocalQueue(tmp_path / "q.db")
    ids = queue.send("gen", ["a", "b", "c"])
    assert len(set(ids)) == 3
    got = queue.receive("gen", 2, visibility=60, lease="L")
    assert [r.body for r in got] == ["a", "b"]
    assert all(r.receive_count == 1 for r in got)
    depth = queue.depth("gen")
    assert (depth.visible, depth.in_flight) == (1, 2)
    assert queue.receive("load", 10, visibility=60, lease="L") == []
    queue.ack([r.message_id for r in got])
    assert queue.pending() == 1
    assert [r.body for r in queue.receive("gen", 10, visibility=60, lease="L")] == ["c"]


def test_leased_messages_come_back_after_their_visibility(tmp_path: Path) -> None:
    queue = LocalQueue(tmp_path / "q.db")
    queue.send("load", ["x"])
    assert len(queue.receive("load", 1, visibility=0.05, lease="L")) == 1
    assert queue.receive("load", 1, visibility=0.05, lease="L") == []
    time.sleep(0.1)
    again = queue.receive("load", 1, visibility=60, lease="L")
    assert [(r.body, r.receive_count) for r in again] == [("x", 2)]


def test_failures_retry_then_dead_letter_with_the_reason(tmp_path: Path) -> None:
    queue = LocalQueue(tmp_path / "q.db", max_attempts=3)
    (mid,) = queue.send("gen", ["bad"])
    for attempt in range(1, 4):
        (record,) = queue.receive("gen", 1, visibility=60, lease="L")
        assert record.receive_count == attempt
        dead = queue.fail([(mid, f"boom {attempt}")], retry_delay=0)
        assert dead == (1 if attempt == 3 else 0)
    assert queue.pending() == 0
    (letter,) = list(queue.dead_letters("gen"))
    assert (letter.message_id, letter.receive_count, letter.reason) == (mid, 3, "boom 3")
    assert queue.dead_count("gen") == 1 and queue.dead_count("load") == 0


def test_retry_delay_hides_a_failed_message(tmp_path: Path) -> None:
    queue = LocalQueue(tmp_path / "q.db")
    (mid,) = queue.send("gen", ["m"])
    queue.receive("gen", 1, visibility=60, lease="L")
    queue.fail([(mid, "later")], retry_delay=3600)
    assert queue.receive("gen", 1, visibility=60, lease="L") == []
    assert queue.depth("gen").in_flight == 1


def test_a_crashed_holders_leases_are_released_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    first = LocalQueue(path, max_attempts=2)
    first.send("gen", ["m"])
    first.receive("gen", 1, visibility=3600, lease="dead-run")
    first.close()  # the process "dies" holding the lease
    second = LocalQueue(path, max_attempts=2)
    assert second.release_leases() == 1
    (record,) = second.receive("gen", 1, visibility=3600, lease="new-run")
    assert record.receive_count == 2
    second.release_leases()
    # received max_attempts times without finishing: dead-lettered on the next receive
    assert second.receive("gen", 1, visibility=3600, lease="new-run") == []
    (letter,) = list(second.dead_letters("gen"))
    assert "lease expired" in (letter.reason or "")


def test_replay_and_purge(tmp_path: Path) -> None:
    queue = LocalQueue(tmp_path / "q.db", max_attempts=1)
    ids = queue.send("load", [f"m{i}" for i in range(5)])
    queue.receive("load", 5, visibility=60, lease="L")
    assert queue.fail([(i, "no") for i in ids], retry_delay=0) == 5
    assert [d.body for d in queue.dead_letters("load", limit=2)] == ["m0", "m1"]
    assert queue.replay("load", 3) == 3
    assert queue.dead_count("load") == 2
    back = queue.receive("load", 10, visibility=60, lease="L")
    assert sorted(r.body for r in back) == ["m0", "m1", "m2"]
    assert all(r.receive_count == 1 for r in back)
    assert queue.purge("load") == 2
    assert queue.dead_count("load") == 0
