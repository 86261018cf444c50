"""``shopchat.datasets.fetch`` against a local HTTP server serving the data mirror (read-only)."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopchat.cli.data import app
from shopchat.datasets import DATASETS, fetch, sha256_of
from shopchat.errors import DataError


@dataclass
class Server:
    url: str
    requests: list[str] = field(default_factory=list)


def _serve(root: Path) -> Iterator[Server]:
    server_info = Server(url="")

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            server_info.requests.append(self.path)
            super().do_GET()

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    server_info.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_info
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def mirror(data_dir: Path) -> Iterator[Server]:
    yield from _serve(data_dir)  # served, never written


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".part")]


def test_fetch_all_then_noop(mirror: Server, tmp_path: Path) -> None:
    paths = fetch(None, tmp_path, mirror.url, progress=False)
    expected = [f for ds in DATASETS.values() for f in ds.files]
    assert paths == [tmp_path / f.path for f in expected]
    assert len(paths) == 8
    for file in expected:
        assert sha256_of(tmp_path / file.path) == file.sha256
    assert sorted(mirror.requests) == sorted(f"/{f.path}" for f in expected)
    assert _leftovers(tmp_path) == []

    before = len(mirror.requests)
    again = fetch(None, tmp_path, mirror.url, progress=False)
    assert again == paths
    assert len(mirror.requests) == before  # no HTTP at all the second time


def test_fetch_one_dataset(mirror: Server, tmp_path: Path) -> None:
    paths = fetch("dummyjson", tmp_path, mirror.url + "/", progress=True)
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == [
        "dummyjson/products.json",
        "dummyjson/carts.json",
    ]
    assert not (tmp_path / "icecat").exists()


def test_wrong_local_file_is_downloaded_again(
    mirror: Server, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    target = tmp_path / "dummyjson" / "carts.json"
    target.parent.mkdir(parents=True)
    target.write_text("[]")
    fetch("dummyjson", tmp_path, mirror.url, progress=False)
    assert sha256_of(target) == DATASETS["dummyjson"].files[1].sha256
    assert "checksum differs" in caplog.text


def test_corrupted_download_raises_and_leaves_nothing(tmp_path: Path, data_dir: Path) -> None:
    served = tmp_path / "served"
    (served / "dummyjson").mkdir(parents=True)
    bad = served / "dummyjson" / "products.json"
    shutil.copyfile(data_dir / "dummyjson" / "products.json", bad)
    with bad.open("ab") as fh:
        fh.write(b" ")
    shutil.copyfile(data_dir / "dummyjson" / "carts.json", served / "dummyjson" / "carts.json")

    dest = tmp_path / "data"
    expected = DATASETS["dummyjson"].files[0].sha256
    for server in _serve(served):
        with pytest.raises(DataError, match="checksum mismatch") as err:
            fetch("dummyjson", dest, server.url, progress=False)
    message = str(err.value)
    assert "dummyjson/products.json" in message
    assert expected in message and sha256_of(bad) in message
    assert not (dest / "dummyjson" / "products.json").exists()
    assert _leftovers(dest) == []


def test_missing_file_on_server(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for server in _serve(tmp_path / "empty"):
        with pytest.raises(DataError, match="HTTP 404"):
            fetch("dummyjson", tmp_path / "data", server.url, progress=False)
    assert _leftovers(tmp_path / "data") == []


def test_unreachable_server(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DataError, match=r"could not download http://127\.0\.0\.1:\d+/dummyjson"):
        fetch("dummyjson", tmp_path, f"http://127.0.0.1:{port}", progress=False, timeout_s=5)
    assert _leftovers(tmp_path) == []


def test_unknown_name_lists_known(tmp_path: Path) -> None:
    with pytest.raises(
        DataError, match="unknown data set 'amazon'; known: icecat, online-retail, dummyjson"
    ):
        fetch("amazon", tmp_path)


def test_inexact_public_original_needs_a_mirror(tmp_path: Path) -> None:
    # no base URL: UCI's xlsx is not our parquet, so refuse before any download
    with pytest.raises(DataError, match=r"online_retail\.parquet: UCI ships .*DATA_BASE_URL"):
        fetch("online-retail", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_cli_fetch(mirror: Server, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["fetch", "dummyjson", "--base-url", mirror.url, "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "dummyjson/products.json" in result.output
    assert (tmp_path / "dummyjson" / "carts.json").exists()

    result = CliRunner().invoke(app, ["fetch", "nope", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "unknown data set" in result.output


def test_optional_inexact_file_is_skipped_with_a_warning(
    tmp_path: Path, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The icecat products are present; its judgments have no as-is public original.
    (tmp_path / "icecat").mkdir()
    for i in range(1, 5):
        name = f"icecat/products-{i}.json.zip"
        (tmp_path / name).write_bytes((data_dir / name).read_bytes())
    with caplog.at_level("WARNING"):
        fetch("icecat", tmp_path, progress=False)
    assert "skipping icecat/judgments.csv" in caplog.text
    assert not (tmp_path / "icecat" / "judgments.csv").exists()
