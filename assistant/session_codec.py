"""A session's state as JSON text, and back: what ``DatabaseSessions`` stores (no pickle).

Filters and their spec constraints are frozen dataclasses: each field is written by its
declared type (a frozenset as a sorted list, a tuple as a list, an enum as its value) and read
back by the same type, so a new field with a default needs no change here, and old state
without it still reads.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from enum import Enum
from functools import cache
from typing import Any

from assistant.session import Session
from retrieval.types import Filters

FORMAT = 1
"""The state's format version, stored with it."""


class CodecError(ValueError):
    """Stored state that does not read as a session (another format, or damaged)."""


def encode_session(session: Session) -> str:
    """Everything a turn needs from ``session`` but its id, user and bookkeeping."""
    state = {
        "format": FORMAT,
        "text": session.text,
        "filters": _encode(session.filters),
        "shown": session.shown,
        "seen": sorted(session.seen),
        "reasons": session.reasons,
        "turns": [list(turn) for turn in session.turns],
    }
    return json.dumps(state, ensure_ascii=False, separators=(",", ":"))


def decode_session(text: str, session_id: str, user_id: str) -> Session:
    """``encode_session``'s text as a ``Session``; raises ``CodecError``."""
    try:
        state = json.loads(text)
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            raise CodecError(f"not a format {FORMAT} session")
        return Session(
            id=session_id,
            user_id=user_id,
            text=str(state["text"]),
            filters=decode_filters(state["filters"]),
            shown=[str(i) for i in state["shown"]],
            seen={str(i) for i in state["seen"]},
            reasons={str(k): str(v) for k, v in state["reasons"].items()},
            turns=[(str(user), str(reply)) for user, reply in state["turns"]],
        )
    except CodecError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CodecError(f"damaged session state: {exc!r}") from exc


def encode_filters(filters: Filters) -> dict[str, Any]:
    return dict(_encode(filters))


def decode_filters(data: Any) -> Filters:
    return _decode_dataclass(Filters, data)


# -- by declared type ------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            if _is_default(f, v):
                continue  # fields at their defaults are left out: short state
            out[f.name] = _encode(v)
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(_encode(v) for v in value)
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, str | bool | int | float):
        return value
    raise TypeError(f"cannot encode {type(value).__name__}")


def _is_default(f: dataclasses.Field[Any], value: Any) -> bool:
    if f.default is not dataclasses.MISSING:
        return bool(value == f.default)
    if f.default_factory is not dataclasses.MISSING:
        return bool(value == f.default_factory())
    return False


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode_dataclass(cls: Any, data: Any) -> Any:
    if not isinstance(data, dict):
        raise CodecError(f"{cls.__name__}: expected an object, got {type(data).__name__}")
    hints = _hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise CodecError(f"{cls.__name__}: unknown fields {sorted(unknown)}")
    return cls(**{name: _decode(hints[name], value) for name, value in data.items()})


def _decode(hint: Any, value: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _decode(inner, value)
    if origin is frozenset:
        return frozenset(_decode(args[0], v) for v in _list(value))
    if origin is tuple:
        return tuple(_decode(args[0], v) for v in _list(value))
    if dataclasses.is_dataclass(hint):
        return _decode_dataclass(hint, value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint in (str, bool, int) and type(value) is hint:
        return value
    raise CodecError(f"expected {getattr(hint, '__name__', hint)}, got {value!r}")


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise CodecError(f"expected a list, got {value!r}")
    return value


__all__ = ["CodecError", "decode_filters", "decode_session", "encode_filters",
           "encode_session"]
