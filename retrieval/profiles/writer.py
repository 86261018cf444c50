"""Write-behind for live profile updates: ``record()`` returns before Chroma has the profile.

A Chroma upsert costs about 30 ms here (embedded or server), more than the whole budget for
"record, then the next search sees it". So a freshly rebuilt profile goes into ``pending``
(read first by ``Personaliser.profile``, for that user id only) and a single writer thread
upserts it; the entry leaves ``pending`` once Chroma holds it. The event itself was already
committed to the events store, so a crash loses nothing: the next ``index`` or ``record``
rebuilds the profile (the built digest is only updated after a successful write).

Writes wait for a short quiet spell (``DEBOUNCE_S``, at most ``MAX_DELAY_S``): a burst of
clicks becomes one upsert, and the write rarely lands on the search that follows a click.
Other processes see the new profile once it is written (``flush`` waits for that).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable

from retrieval.profiles.profile import Profile
from retrieval.profiles.store import ProfileStore

log = logging.getLogger(__name__)

RETRIES = 3
DEBOUNCE_S = 0.25
MAX_DELAY_S = 1.0


class WriteBehind:
    def __init__(self, store: ProfileStore, dimension: int,
                 on_written: Callable[[dict[str, str]], None], *,
                 debounce_s: float = DEBOUNCE_S, max_delay_s: float = MAX_DELAY_S) -> None:
        self._debounce_s = debounce_s
        self._max_delay_s = max_delay_s
        self._last_put = self._first_put = 0.0
        self._flushing = 0
        self._store = store
        self._dimension = dimension
        self._on_written = on_written
        self._pending: dict[str, Profile] = {}
        self._busy = False
        self._closed = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="profile-writer", daemon=True)
        self._thread.start()
        atexit.register(self.flush, 5.0)  # a process that exits right after record() still writes

    def put(self, profile: Profile) -> None:
        with self._cond:
            if self._closed:
                raise RuntimeError("profile writer is closed")
            now = time.monotonic()
            if not self._pending:
                self._first_put = now
            self._last_put = now
            self._pending[profile.user_id] = profile
            self._cond.notify_all()

    def get(self, user_id: str) -> Profile | None:
        """The not-yet-written profile of ``user_id``, if any (this id only)."""
        with self._cond:
            return self._pending.get(user_id)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every pending profile is written; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._flushing += 1
            self._cond.notify_all()
            try:
                while self._pending or self._busy:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._cond.wait(left)
            finally:
                self._flushing -= 1
        return True

    def close(self) -> None:
        atexit.unregister(self.flush)
        self.flush()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if self._closed and not self._pending:
                    return
                while not (self._closed or self._flushing) and (wait := self._quiet_wait()) > 0:
                    self._cond.wait(wait)
                batch = dict(self._pending)
                self._busy = True
            written = self._write(list(batch.values()))
            if written:  # before the batch counts as done: flush() returns after this too
                try:
                    self._on_written({p.user_id: p.digest for p in batch.values()})
                except Exception as exc:  # the writer thread must outlive a failing callback
                    log.error("after writing %d profiles: %s", len(batch), exc)
            with self._cond:
                for user_id, profile in batch.items():
                    if self._pending.get(user_id) is profile:  # not replaced meanwhile
                        del self._pending[user_id]
                self._busy = False
                self._cond.notify_all()

    def _quiet_wait(self) -> float:
        """Seconds until the pending batch is due (0: write now)."""
        now = time.monotonic()
        return max(0.0, min(self._last_put + self._debounce_s - now,
                            self._first_put + self._max_delay_s - now))

    def _write(self, profiles: list[Profile]) -> bool:
        for attempt in range(1, RETRIES + 1):
            try:
                self._store.write(profiles, self._dimension)
                return True
            except Exception as exc:  # logged, retried; the events store still has the events
                log.error("writing %d profiles failed (attempt %d/%d): %s",
                          len(profiles), attempt, RETRIES, exc)
                time.sleep(0.05 * attempt)
        log.error("gave up writing %d profiles; `shopchat index` rebuilds them from events",
                  len(profiles))
        return False
