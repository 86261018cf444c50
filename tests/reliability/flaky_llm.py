"""An OpenAI-compatible chat server, run as its own process, that fails on purpose.

``python -m tests.reliability.flaky_llm PORT MODE``. In ``ok`` mode it answers the rerank
request properly: every candidate id of the schema's enum in order, each with a reason made of
that candidate's first title word (so reasons are grounded). Other modes:

- ``slow``: ``ok`` after 3 s (the test kills the process mid-request);
- ``hang``: never answers within any timeout the tests use;
- ``malformed``: text that is not JSON; ``empty``: an empty message;
- ``unknown_ids``: ids that are not candidates; ``duplicate_ids``: the first id repeated;
- ``huge``: a 10 MB reply.
"""

from __future__ import annotations

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def ranking(body: dict[str, Any]) -> list[list[str]]:
    schema = body["response_format"]["json_schema"]["schema"]
    ids = schema["properties"]["ranking"]["items"]["prefixItems"][0]["enum"]
    payload = json.loads(body["messages"][-1]["content"])
    titles = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in payload["products"]}
    return [[i, titles[i].split()[0]] for i in ids]


def reply_text(mode: str, body: dict[str, Any]) -> str:
    if mode in ("ok", "slow"):
        return json.dumps({"ranking": ranking(body)})
    if mode == "malformed":
        return '{"ranking": [["P1", "unterminated'
    if mode == "empty":
        return ""
    if mode == "unknown_ids":
        return json.dumps({"ranking": [["P999", "x"], ["id-that-is-not-there", "y"]]})
    if mode == "duplicate_ids":
        first = ranking(body)[0]
        return json.dumps({"ranking": [first, first, first]})
    if mode == "huge":
        return json.dumps({"ranking": [["P1", "x" * 10_000_000]]})
    raise ValueError(mode)


def serve(port: int, mode: str) -> None:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # /v1/models: a health check
            self._send({"object": "list", "data": [{"id": "local", "object": "model"}]})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if mode == "slow":
                time.sleep(3)
            if mode == "hang":
                time.sleep(3600)
            self._send({
                "id": "chatcmpl-flaky", "object": "chat.completion", "created": int(time.time()),
                "model": body.get("model", "local"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": reply_text(mode, body)}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })

        def _send(self, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2])
