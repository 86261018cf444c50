"""A tiny OpenAI-compatible HTTP server that misbehaves on purpose, for the client's error mapping.

The behaviour is picked by the first path segment: base URL ``{url}/{mode}/v1``. Modes:

- ``ok``: valid JSON answer;
- ``hang``: waits (up to ``HANG_S``) before answering;
- ``invalid``: answers text that is not JSON; ``empty``: answers ""; ``cut``: finish "length";
- ``garbage``: HTTP 200 with a body that is not JSON; ``error500`` / ``error400``: HTTP errors;
- ``switch``: whichever mode ``switch`` names now (a test changes it while clients keep their URL).

``GET {url}/models`` answers a model list (a readiness check).

Every request body is recorded in ``requests``. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HANG_S = 10.0
VALID_JSON = '{"ids": ["a1"], "reason": "fits"}'


class FakeOpenAIServer:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()  # set at teardown: hanging handlers return at once
        self.switch = "error500"
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                _send(self, 200, {"object": "list", "data": [{"id": "local"}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                mode = self.path.strip("/").split("/")[0]
                if mode == "switch":
                    mode = server.switch
                server.requests.append({"mode": mode, "path": self.path, **body})
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    server.answer(self, mode)  # those: the client gave up, as it should

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.port}/{mode}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, h: BaseHTTPRequestHandler, mode: str) -> None:
        if mode == "hang":
            self.release.wait(HANG_S)
        if mode in ("error500", "error400"):
            code = int(mode[-3:])
            _send(h, code, {"error": {"message": f"fake {code}", "type": "x", "code": code}})
            return
        if mode == "garbage":
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.end_headers()
            h.wfile.write(b"<html>not json</html>")
            return
        content = {"invalid": "this is not JSON", "empty": "", "cut": '{"ids": ["a'}.get(
            mode, VALID_JSON
        )
        finish = "length" if mode == "cut" else "stop"
        _send(h, 200, _completion(content, finish))

def _send(h: BaseHTTPRequestHandler, code: int, payload: dict[str, Any]) -> None:
    data = json.dumps(payload).encode()
    h.send_response(code)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)


def _completion(content: str, finish: str) -> dict[str, Any]:
    return {
        "id": "cmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": "local",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish,
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6},
    }
