"""``shopchat serve`` replicas in child processes (own interpreters, like production), for the
replica tests and ``shopchat bench api``: started together, each waited for until ``/readyz``
answers, stopped (or SIGKILLed) on demand.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import IO

import httpx

from shopchat.net import free_port


@dataclass
class Replica:
    """One ``shopchat serve`` process on loopback."""

    url: str
    cmd: list[str]
    env: dict[str, str]
    log: IO[bytes]
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=self.env)

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not self.ready():
            if self.proc is None or self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"`{' '.join(self.cmd)}` did not come up:\n{self.log_tail()}")
            time.sleep(0.3)

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL: no cleanup of any kind, as a crash or an OOM kill would leave it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, chars: int = 3000) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-chars:]


@contextmanager
def served_replicas(catalog: str, count: int, env: Mapping[str, str] | None = None,
                    timeout_s: float = 300.0, ports: Sequence[int] | None = None
                    ) -> Iterator[list[Replica]]:
    """``count`` replicas of ``shopchat serve --catalog catalog`` with ``env`` over this
    process's environment (sharing state needs SHOPCHAT_CHROMA_URL and SHOPCHAT_DATABASE_URL),
    on ``ports`` (default: free ones)."""
    merged = {**os.environ, **(env or {})}
    with ExitStack() as stack:
        replicas = []
        for i in range(count):
            port = ports[i] if ports else free_port()
            log = stack.enter_context(tempfile.TemporaryFile())
            cmd = [sys.executable, "-m", "shopchat.cli.main", "serve", "--catalog", catalog,
                   "--port", str(port)]
            replica = Replica(f"http://127.0.0.1:{port}", cmd, dict(merged), log)
            stack.callback(replica.stop)
            replica.start()
            replicas.append(replica)
        for replica in replicas:
            replica.wait_ready(timeout_s)
        yield replicas
