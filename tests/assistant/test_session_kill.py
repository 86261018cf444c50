"""A conversation survives SIGKILL: ``ask()`` turns in a process killed mid-conversation, then
the same conversation continued by a new process (constraints, shown items, "more").

Real everything: the icecat index under ``.shopchat`` when it is built (embedded Chroma), else
the dummyjson catalog indexed here; sessions in SQLite and in PostgreSQL; no language model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.session_codec import decode_session
from shopchat.database import open_database
from tests.conftest import indexed, renamed

REPO = Path(__file__).resolve().parents[2]
TURNS_BEFORE_KILL = 5

SCRIPT = """
import json, sys
from assistant import ask

session_id, queries, forever = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] == "forever"

def say(answer):
    print(json.dumps({"intent": str(answer.intent), "ids": [i.id for i in answer.items],
                      "constraints": answer.constraints, "new": answer.new_session,
                      "degraded": answer.degraded_reason, "message": answer.message}), flush=True)

for query in queries:
    say(ask("kim", query, session_id))
while forever:
    say(ask("kim", "more", session_id))
"""


@dataclass(frozen=True)
class Shop:
    home: Path
    catalog: str
    search: str
    refine: str
    items: int
    """Items per answer: enough pages before and after the kill."""


@pytest.fixture(scope="module")
def shop(data_dir: Path, embedder: Any, tmp_path_factory: pytest.TempPathFactory,
         request: pytest.FixtureRequest) -> Shop:
    home = Path(os.environ.get("SHOPCHAT_HOME", REPO / ".shopchat"))
    if (home / "lexical" / "icecat").is_dir() and (home / "chroma").is_dir():
        return Shop(home, "icecat", "24 inch monitor under $500", "not Samsung", 5)
    from catalog import load_catalog

    settings, searcher = indexed(renamed(load_catalog("dummyjson", data_dir)), "embedded",
                                 embedder, data_dir, tmp_path_factory, request)
    searcher.close()
    return Shop(settings.home, searcher.catalog, "kitchen under $100", "not Apple", 2)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'sessions.sqlite'}"
    return str(request.getfixturevalue("postgres_db_url"))


def environment(shop: Shop, data_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPCHAT_")}
    env.update(SHOPCHAT_HOME=str(shop.home), SHOPCHAT_DATA_DIR=str(data_dir),
               SHOPCHAT_DEFAULT_CATALOG=shop.catalog, SHOPCHAT_LLM_BACKEND="none",
               SHOPCHAT_PERSONALISE="false", SHOPCHAT_DATABASE_URL=database_url,
               SHOPCHAT_ANSWER_ITEMS=str(shop.items), PYTHONPATH=str(REPO))
    return env


def shopper(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", SCRIPT, *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_conversation_survives_sigkill_and_restart(
        shop: Shop, data_dir: Path, database_url: str, tmp_path: Path) -> None:
    env = environment(shop, data_dir, database_url)
    first = shopper(["kim-1", json.dumps([shop.search, shop.refine]), "forever"], env)
    answers: list[dict[str, Any]] = []
    deadline = time.monotonic() + 240
    assert first.stdout is not None
    while len(answers) < TURNS_BEFORE_KILL and time.monotonic() < deadline:
        line = first.stdout.readline()
        if not line:
            break
        answers.append(json.loads(line))
    first.send_signal(signal.SIGKILL)  # mid-turn: the next one is under way
    _, stderr = first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL
    assert len(answers) == TURNS_BEFORE_KILL, stderr[-3000:]
    assert answers[0]["new"] and not any(a["new"] for a in answers[1:])
    assert all(a["degraded"] is None for a in answers), answers
    assert [a["intent"] for a in answers[1:3]] == ["refine", "more"]
    constraints = answers[-1]["constraints"]
    assert constraints["exclude_brands"] and "price_max" in constraints
    shown = {i for a in answers[1:] for i in a["ids"]}  # since the refined search
    assert shown and answers[-1]["ids"]

    second = shopper(["kim-1", json.dumps(["more", "cheaper", "why #1"]), "once"], env)
    out, stderr = second.communicate(timeout=240)
    assert second.returncode == 0, stderr[-3000:]
    more, cheaper, why = (json.loads(line) for line in out.splitlines())
    assert not more["new"] and more["degraded"] is None and more["intent"] == "more"
    assert more["constraints"] == constraints  # every constraint continues
    assert more["ids"] and not set(more["ids"]) & shown  # "more" continues past the kill
    assert cheaper["intent"] == "refine"
    assert cheaper["constraints"]["price_max"] < constraints["price_max"]
    assert {**cheaper["constraints"], "price_max": 0} == {**constraints, "price_max": 0}
    assert why["message"].startswith("**#1 ")

    db = open_database(database_url, tmp_path / "unused.sqlite")
    try:
        (user, state, version), = db.execute(
            "SELECT user_id, state, version FROM sessions WHERE id = 'kim-1'").rows
        session = decode_session(state, "kim-1", user)
        assert user == "kim" and int(version) >= TURNS_BEFORE_KILL + 3
        assert session.shown == cheaper["ids"] and session.turns[-1][0] == "why #1"
    finally:
        db.close()
