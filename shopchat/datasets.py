"""The data sets shopchat uses, where they come from, and ``fetch`` to download them.

Every file has a relative path (its place under the data directory), the public URL of its
original, and the sha256 of the file the loaders expect. Some public originals differ from
that file (UCI ships .xlsx, we read parquet; Chorus' judgment file is a superset): those are
marked ``exact=False`` and can only be fetched from a mirror of the data layout
(``base_url`` / ``SHOPCHAT_DATA_BASE_URL``: each file comes from ``{base}/{path}``).
Whatever the source, a file that fails its checksum is never kept.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
from tqdm import tqdm

from shopchat.errors import DataError

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20
_CHORUS = "https://raw.githubusercontent.com/querqy/chorus/main"
_DUMMYJSON = "https://raw.githubusercontent.com/Ovi/DummyJSON/master/database"


@dataclass(frozen=True, slots=True)
class DataFile:
    path: str
    """Relative to the data directory, e.g. ``icecat/products-1.json.zip``."""
    url: str
    """The public original."""
    sha256: str
    exact: bool = True
    """False: the public original is not this file (see ``note``); fetch it from a mirror."""
    note: str = ""
    optional: bool = False
    """Only some uses need it (judgments: evaluation). Skipped, with a warning, when it cannot
    be fetched as-is; a required file that cannot is an error."""


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    description: str
    license: str
    files: tuple[DataFile, ...]


DATASETS: dict[str, Dataset] = {
    "icecat": Dataset(
        name="icecat",
        description="19,406 electronics products + 2,680 graded judgments (95 queries)",
        license="Icecat Open Content License (products); Chorus, Apache-2.0 (judgments)",
        files=(
            *(
                DataFile(
                    f"icecat/products-{i}.json.zip",
                    f"{_CHORUS}/data-encoder/ecommerce/vectors/data/{i}.json.zip",
                    sha,
                )
                for i, sha in enumerate((
                    "15b622a11a6267aa0c450919a84b0fc41d7748db552f4c9c0e04167bbc7c38cb",
                    "17d95160289440d03ca50af65c1363d9edd1d5e82678ddb874b27aeac1f87c33",
                    "d4d088908fa648da7e79682872a77771ba42f065b253c4fb0f333e630d94f45a",
                    "533329e5173eac349ce61512fc86a352d5f6651e31694e03aa6e8428cbeaf3c0",
                ), start=1)
            ),
            DataFile(
                "icecat/judgments.csv",
                f"{_CHORUS}/katas/Broad_Query_Set_rated.csv",
                "72dd6177714ba86a1fe36d31d99dd2a4df3a799c1590450cf44d80fdca43f71b",
                exact=False,
                note="the Chorus file rates more queries; this one is a subset of it",
                optional=True,
            ),
        ),
    ),
    "online-retail": Dataset(
        name="online-retail",
        description="541,909 purchase lines of 4,372 customers (UCI Online Retail, id 352)",
        license="CC BY 4.0",
        files=(
            DataFile(
                "online-retail/online_retail.parquet",
                "https://archive.ics.uci.edu/static/public/352/online+retail.zip",
                "944156f5da4c3b538300db10066834f5bad7c02ea9398cbe84f2ea1ddbb7a522",
                exact=False,
                note="UCI ships 'Online Retail.xlsx' in a zip; this is its parquet conversion",
            ),
        ),
    ),
    "dummyjson": Dataset(
        name="dummyjson",
        description="194 products and 208 carts (small demo catalog)",
        license="MIT",
        files=(
            DataFile(
                "dummyjson/products.json",
                f"{_DUMMYJSON}/products.json",
                "3de51f68955246ff09fdd0d776dc5f662d2f58a9e83794ff5064886a72424322",
            ),
            DataFile(
                "dummyjson/carts.json",
                f"{_DUMMYJSON}/carts.json",
                "ddda5051f2d86e22d11589305469bb0d37f45b05c992fbf9400b12805854bf0d",
            ),
        ),
    ),
}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _select(name: str | None) -> list[Dataset]:
    if name is None:
        return list(DATASETS.values())
    key = name.strip().lower()
    if key not in DATASETS:
        raise DataError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}")
    return [DATASETS[key]]


def _needs_download(file: DataFile, dest: Path) -> bool:
    """False when ``dest`` already holds the right bytes."""
    if not dest.exists():
        return True
    actual = sha256_of(dest)
    if actual == file.sha256:
        logger.debug("%s: already present, checksum ok", dest)  # the table says so
        return False
    logger.warning("%s: present but checksum differs (expected %s, found %s); downloading again",
                   dest, file.sha256, actual)
    return True


def _download(client: httpx.Client, file: DataFile, url: str, dest: Path,
              progress: bool) -> None:
    """Stream ``url`` into a temp file next to ``dest``, verify, then rename atomically."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    except OSError as exc:
        raise DataError(f"{file.path}: cannot write under {dest.parent}: {exc}") from exc
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, client.stream("GET", url) as response:
            response.raise_for_status()
            total = int(response.headers.get("content-length", 0)) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=file.path,
                      disable=not progress, leave=False) as bar:
                for chunk in response.iter_bytes(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if actual != file.sha256:
            hint = f" ({file.note})" if file.note else ""
            raise DataError(f"{file.path}: checksum mismatch for {url}: expected {file.sha256}, "
                            f"got {actual}{hint}")
        os.replace(tmp, dest)
    except httpx.HTTPStatusError as exc:
        raise DataError(f"{file.path}: HTTP {exc.response.status_code} from {url}") from exc
    except httpx.HTTPError as exc:
        raise DataError(f"{file.path}: could not download {url}: "
                        f"{type(exc).__name__}: {exc}") from exc
    except OSError as exc:
        raise DataError(f"{file.path}: cannot write {dest}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)  # after a successful rename there is nothing left to remove


def fetch(
    name: str | None,
    data_dir: str | Path,
    base_url: str | None = None,
    *,
    progress: bool = True,
    timeout_s: float = 60.0,
) -> list[Path]:
    """Make sure data set ``name`` (all when None) is under ``data_dir``; return its files.

    Files already present with the right checksum are left alone. ``base_url`` fetches every
    file from ``{base_url}/{path}`` instead of its public home.
    """
    data_dir = Path(data_dir)
    files = [f for ds in _select(name) for f in ds.files]
    todo = [f for f in files if _needs_download(f, data_dir / f.path)]

    base_url = base_url or None  # "" means unset too
    if base_url is None:
        for f in [f for f in todo if not f.exact and f.optional]:
            logger.warning("skipping %s (only evaluation needs it): %s; fetch it from a mirror "
                           "with --base-url", f.path, f.note)
            todo.remove(f)
        inexact = [f for f in todo if not f.exact]
        if inexact:
            lines = "; ".join(f"{f.path}: {f.note} ({f.url})" for f in inexact)
            raise DataError(
                f"no public download gives these files as-is: {lines}. Point --base-url or "
                "SHOPCHAT_DATA_BASE_URL at a mirror of the data layout ({base}/<path>)."
            )

    if todo:
        with httpx.Client(follow_redirects=True, timeout=httpx.Timeout(timeout_s)) as client:
            for file in todo:
                url = f"{base_url.rstrip('/')}/{file.path}" if base_url else file.url
                logger.info("downloading %s from %s", file.path, url)
                _download(client, file, url, data_dir / file.path, progress)
    return [data_dir / f.path for f in files]
