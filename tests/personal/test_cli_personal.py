"""`shopchat index` (items and users), `forget`, `bench personal`, `eval personal`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import invoke


def test_index_builds_users_forget_removes_them(cli_env: Path) -> None:
    events = cli_env / "events.csv"
    events.write_text(
        "user_id,item_id,event,timestamp\n"
        "web-7,1,like,2024-05-01T10:00:00Z\n"
        "web-7,2,buy,2024-05-01T10:01:00Z\n"
    )
    out = invoke("index", "--catalog", "dummyjson", "--quiet", "--events", str(events))
    assert "indexed dummyjson: 194 products" in out
    assert "rejected 1" in out and "events.csv:2: event: unknown event" in out
    assert "profiles dummyjson: 209 user profiles, built 209" in out
    again = invoke("index", "--catalog", "dummyjson", "--quiet", "--events", str(events))
    assert "built 0, unchanged 209" in again and "0 new events" in again

    from assistant.session import Session
    from assistant.session_store import DatabaseSessions
    from shopchat.settings import get_settings

    settings = get_settings()
    sessions = DatabaseSessions.open(settings, "dummyjson")
    for session_id in ("c1", "c2"):
        sessions.save(Session(session_id, "web-7", text="laptop"))
    sessions.save(Session("c3", "web-8", text="laptop"))
    out = invoke("forget", "--user", "web-7")
    assert "deleted 2 conversations" in out and "deleted 1 events and the profile" in out
    assert "removed 2 conversations, 1 events and 1 profiles in 1 catalogs" in out
    assert sessions.load("web-7", "c1").status == "unknown"  # gone from the database
    assert sessions.load("web-8", "c3").status == "continued"
    assert sessions.save(Session("c1", "web-7", text="old", updated_at=1.0,
                                 version=1)) == "refused"  # a copy from before: not revived
    sessions.close()
    report = json.loads(invoke("forget", "--user", "web-7", "--json"))
    assert report == {"conversations": 0,
                      "catalogs": [{"catalog": "dummyjson", "events": 0, "profile": False}]}
    # re-indexing the same sources does not bring the user back
    after = invoke("index", "--catalog", "dummyjson", "--quiet", "--events", str(events))
    assert "208 user profiles" in after and "0 new events" in after


def test_forget_with_nothing_stored(cli_env: Path) -> None:
    assert "nothing to remove" in invoke("forget", "--user", "nobody")


def test_bench_personal_prints_figures(cli_env: Path) -> None:
    out = invoke("bench", "personal", "--catalog", "dummyjson", "--samples", "5", "--quiet")
    assert "profile build, all users: 208 users" in out
    assert "record() -> profile visible in this process" in out
    assert "next search saw the new event in 5/5 samples" in out


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_eval_personal_on_online_retail(cli_env: Path) -> None:
    out_dir = cli_env / "out"
    out = invoke(
        "eval",
        "personal",
        "--catalog",
        "online-retail",
        "--out",
        str(out_dir),
        "--users",
        "30",
        "--quiet",
    )
    assert "cut-off 2011-09-01" in out and "MRR ratio" in out
    metrics = json.loads((out_dir / "metrics.json").read_text())
    assert metrics["users"] == 30 and metrics["queries"] > 30
    assert metrics["recommend"]["recall@20"] > metrics["recommend"]["popularity_recall@20"]
    assert metrics["personalised"]["mrr"] > metrics["non_personalised"]["mrr"]


def test_train_personal_refuses_a_split_that_ends_before_it_starts(cli_env: Path) -> None:
    from typer.testing import CliRunner

    from shopchat.cli.main import app

    result = CliRunner().invoke(app, ["eval", "train-personal", "--catalog", "online-retail",
                                      "--cutoff", "2011-09-01", "--until", "2011-07-01",
                                      "--out", str(cli_env / "model.txt")])
    assert result.exit_code != 0
    assert "2011-09-01 must come before --until 2011-07-01" in result.output
    assert not (cli_env / "model.txt").exists()
    bad = CliRunner().invoke(app, ["eval", "train-personal", "--until", "July"])
    assert bad.exit_code != 0 and "--until" in bad.output
