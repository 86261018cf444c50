"""The one timing helper: milliseconds since a ``time.perf_counter()`` reading."""

from __future__ import annotations

import time


def elapsed_ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 3)
