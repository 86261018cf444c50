"""``shopchat index`` SIGKILLed at random points, 10 trials: every re-run ends exact.

Each trial indexes dummyjson in a subprocess (8 products per chunk), kills it with SIGKILL after
a random number of queued chunks plus a random delay, then re-runs the build in this process:
the collection must hold exactly the catalog's ids, once each, nothing stale, and a third run
must embed nothing.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval import build_index
from retrieval.indexer import stored_hashes
from retrieval.store import open_client, products_collection
from shopchat.records import Catalog
from tests.conftest import make_settings
from tests.retrieval.test_indexer import KILLABLE, REPO

TRIALS = 10


def killed_run(home: Path, data_dir: Path, after_chunks: int, delay_s: float) -> bool:
    """Start an index build and SIGKILL it; False when it finished first."""
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE, str(home), str(data_dir)],
                            cwd=REPO, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stderr is not None
    queued = 0
    for line in proc.stderr:
        if "upsert queued" in line:
            queued += 1
            if queued == after_chunks:
                time.sleep(delay_s)
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait(timeout=120)
    return proc.returncode == -signal.SIGKILL


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_ten_random_kills_then_exact_reruns(
    tmp_path: Path, data_dir: Path, dummy_catalog: Catalog, embedder: object
) -> None:
    rng = random.Random(20261128)
    expected = sorted(p.id for p in dummy_catalog.products)
    outcomes = []
    for trial in range(TRIALS):
        home = tmp_path / f"trial-{trial}"
        after, delay = rng.randint(1, 20), rng.uniform(0.0, 0.3)
        assert killed_run(home, data_dir, after, delay), f"trial {trial} finished before the kill"
        settings = make_settings(home, data_dir)
        partial = products_collection(open_client(settings), "dummyjson").count()
        stats = build_index(dummy_catalog, settings, embedder=embedder,  # type: ignore[arg-type]
                            progress=False)
        collection = products_collection(open_client(settings), "dummyjson", create=False)
        assert collection.count() == len(expected)
        assert sorted(stored_hashes(collection)) == expected
        assert stats.deleted == 0 and stats.embedded + stats.unchanged == len(expected)
        assert build_index(dummy_catalog, settings, embedder=embedder,  # type: ignore[arg-type]
                           progress=False).embedded == 0
        outcomes.append((after, round(delay, 2), partial, stats.embedded))
    print("\n(kill after chunks, delay s, vectors stored at the kill, re-embedded):", outcomes)
    assert len({o[2] for o in outcomes}) > 1  # the kills landed at different points
