"""The HTTP API over the real assistant (real Chroma, real embedder): answers, the stream,
events, forgetting, and every kind of bad request with its status and message."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from assistant.answer import Answer, AnswerEvent, CandidatesEvent, ReasonsEvent
from retrieval import Searcher
from shopchat.settings import Settings
from tests.api.conftest import ApiClient


def ask(client: TestClient, user: str, message: str, session: str | None = None,
        **extra: object) -> Answer:
    body = {"user_id": user, "message": message, "session_id": session, **extra}
    reply = client.post("/api/v1/ask", json=body)
    assert reply.status_code == 200, reply.text
    return Answer.model_validate(reply.json())


def ids(answer: Answer) -> list[str]:
    return [item.id for item in answer.items]


def test_ask_answers_and_continues_the_conversation(
        api: ApiClient, dummy_index: tuple[Settings, Searcher]) -> None:
    client = api()
    first = ask(client, "shopper-1", "smartphone under 500")
    table = dummy_index[1].table
    assert first.items and first.session_id
    assert all(p.price is not None and p.price <= 500
               for i in ids(first) if (p := table.get(i)) is not None)
    cheaper = ask(client, "shopper-1", "cheaper", first.session_id)
    assert cheaper.session_id == first.session_id and cheaper.items
    assert cheaper.constraints.get("price_max", 500) < 500
    # ``query`` is accepted for ``message`` (what ``shopchat bench api`` sends)
    reply = client.post("/api/v1/ask", json={"user_id": "shopper-2", "query": "red lipstick"})
    assert reply.status_code == 200 and reply.json()["items"]


def test_the_stream_sends_candidates_reasons_then_the_answer(api: ApiClient) -> None:
    client = api()
    with client.stream("POST", "/api/v1/ask/stream",
                       json={"user_id": "streamer", "message": "red lipstick"}) as reply:
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/event-stream")
        body = "".join(reply.iter_text())
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    assert [name for name, _ in events] == ["candidates", "reasons", "answer"]
    candidates = CandidatesEvent.model_validate(events[0][1])
    reasons = ReasonsEvent.model_validate(events[1][1])
    answer = AnswerEvent.model_validate(events[2][1]).answer
    assert candidates.items and all(not item.reason for item in candidates.items)
    assert all(item.reason for item in reasons.items)
    assert candidates.session_id == reasons.session_id == answer.session_id
    assert [i.id for i in answer.items] == [i.id for i in reasons.items]
    # the stream's answer is the turn's answer: the conversation continues from it
    assert ask(client, "streamer", "cheaper", answer.session_id).session_id == answer.session_id


def test_a_like_through_the_api_changes_the_next_answer(api: ApiClient) -> None:
    client = api()
    before = ids(ask(client, "liker", "red lipstick"))
    liked = before[4]
    reply = client.post("/api/v1/events", json={"user_id": "liker", "item_id": liked,
                                                "event": "like"})
    assert reply.status_code == 200, reply.text
    assert reply.json() | {"catalog": ""} == {"user_id": "liker", "item_id": liked,
                                              "event": "like", "catalog": "", "events": 1}
    after = ids(ask(client, "liker", "red lipstick"))  # a new conversation
    assert after.index(liked) < before.index(liked)
    assert ids(ask(client, "someone-else", "red lipstick")) == before  # nobody else's


def test_forgetting_a_user_removes_events_and_conversations(api: ApiClient) -> None:
    client = api()
    first = ask(client, "forget-me", "red lipstick")
    for item in ids(first)[:2]:
        client.post("/api/v1/events", json={"user_id": "forget-me", "item_id": item,
                                            "event": "click"}).raise_for_status()
    reply = client.delete("/api/v1/users/forget-me")
    assert reply.status_code == 200, reply.text
    (report,) = reply.json()["catalogs"]
    assert reply.json()["user_id"] == "forget-me" and report["events"] == 2
    assert reply.json()["conversations"] == 1
    again_report = client.delete("/api/v1/users/forget-me").json()
    assert again_report["catalogs"][0]["events"] == 0 and again_report["conversations"] == 0
    # the conversation went with them: "cheaper" has nothing to refine
    again = ask(client, "forget-me", "cheaper", first.session_id)
    assert "price_max" not in again.constraints


def test_bad_requests_get_a_status_and_a_message(api: ApiClient) -> None:
    client = api(api_max_body=2048)
    cases = [
        ({"message": "mouse"}, 422, "user_id: Field required"),
        ({"user_id": "u"}, 422, "message: Field required"),
        ({"user_id": "u", "message": "m", "colour": "red"}, 422, "colour: Extra inputs"),
        ({"user_id": 7, "message": "m"}, 422, "user_id: Input should be a valid string"),
        ({"user_id": "u", "message": "m", "catalog": "nope"}, 404, "unknown catalog 'nope'"),
        ({"user_id": "a/b", "message": "m"}, 400, "user_id must be"),
        ({"user_id": "u", "message": "m", "session_id": "x" * 200}, 400, "session ids are"),
        ({"user_id": "u", "message": "m" * 4000}, 413, "over 2048 bytes"),
    ]
    for body, status, message in cases:
        reply = client.post("/api/v1/ask", json=body)
        assert (reply.status_code, message in reply.json()["error"]) == (status, True), \
            (body, reply.text)
    reply = client.post("/api/v1/ask", content=b'{"user_id": "u", "message": ',
                        headers={"content-type": "application/json"})
    assert reply.status_code == 422 and "malformed JSON" in reply.json()["error"]
    reply = client.post("/api/v1/events", json={"user_id": "u", "item_id": "1", "event": "love"})
    assert reply.status_code == 422 and "event: Input should be" in reply.json()["error"]
    reply = client.post("/api/v1/events", json={"user_id": "u", "item_id": "no-such-item",
                                                "event": "like"})
    assert reply.status_code == 400 and "unknown item" in reply.json()["error"]
    # a session is only ever its own shopper's
    session = ask(client, "owner", "red lipstick").session_id
    reply = client.post("/api/v1/ask", json={"user_id": "intruder", "message": "more",
                                             "session_id": session})
    assert reply.status_code == 400 and "another user" in reply.json()["error"]
    reply = client.post("/api/v1/ask/stream", json={"user_id": "intruder", "message": "more",
                                                    "session_id": session})
    assert reply.status_code == 400 and "another user" in reply.json()["error"]


def test_openapi_describes_the_api(api: ApiClient) -> None:
    client = api()
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/v1/ask", "/api/v1/ask/stream", "/api/v1/events", "/api/v1/users/{user_id}",
            "/healthz", "/readyz"} <= set(paths)
    models = schema["components"]["schemas"]
    assert {"Answer", "AskRequest", "EventRequest", "CandidatesEvent", "ReasonsEvent",
            "AnswerEvent", "Readiness"} <= set(models)
    assert models["AskRequest"]["properties"]["user_id"]["description"]
    assert "401" in paths["/api/v1/ask"]["post"]["responses"]
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert client.get("/docs").status_code == 200


def test_an_unknown_session_starts_a_new_conversation_and_says_so(api: ApiClient) -> None:
    client = api()
    answer = ask(client, "newcomer", "red lipstick", "never-started-123")
    assert answer.items and answer.session_status == "unknown"
    assert answer.session_note == ("session 'never-started-123' was not found (never started, "
                                   "or forgotten): this is a new conversation")
    reply = client.post("/api/v1/ask/stream", json={"user_id": "newcomer", "message": "lipstick",
                                                    "session_id": "never-started-456"})
    last = reply.text.strip().split("\n\n")[-1]
    assert last.startswith("event: answer") and "never-started-456' was not found" in last
    # a known one continues, and no note is made up
    again = ask(client, "newcomer", "cheaper", answer.session_id)
    assert again.session_status == "continued" and "not found" not in again.session_note
