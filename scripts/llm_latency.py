"""Per-request latency of an LLM backend on a rerank-shaped prompt (schema-constrained JSON).

    .venv/bin/python scripts/llm_latency.py --backend local -n 10
    .venv/bin/python scripts/llm_latency.py --backend openai --url http://127.0.0.1:8000/v1

Prints p50/p90 of ``complete_json`` (10 candidates, schema-constrained ranking + reasons).
Backend settings otherwise come from the ``SHOPCHAT_LLM_*`` environment.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from assistant.llm import LLMError, Message, get_llm
from shopchat.settings import Settings

PRODUCTS = [
    ("p1", "Logitech M330 Silent Plus wireless mouse", "Logitech", 29.99),
    ("p2", "Razer DeathAdder Essential wired gaming mouse", "Razer", 24.99),
    ("p3", "Microsoft Bluetooth Ergonomic Mouse", "Microsoft", 44.99),
    ("p4", "Corsair Harpoon RGB wireless gaming mouse", "Corsair", 49.99),
    ("p5", "HP X3000 G2 wireless mouse", "HP", 14.99),
    ("p6", "SteelSeries Rival 3 wireless gaming mouse", "SteelSeries", 39.99),
    ("p7", "Apple Magic Mouse", "Apple", 79.00),
    ("p8", "Trust Ozaa rechargeable wireless mouse", "Trust", 27.50),
    ("p9", "Dell MS116 wired optical mouse", "Dell", 9.99),
    ("p10", "Logitech G305 Lightspeed wireless gaming mouse", "Logitech", 39.99),
]
SCHEMA: dict[str, Any] = {
    "title": "Rerank",
    "type": "object",
    "properties": {
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": 10,
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "enum": [p[0] for p in PRODUCTS]},
                    "reason": {"type": "string", "maxLength": 120},
                },
                "required": ["id", "reason"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["items"],
    "additionalProperties": False,
}


def rerank_messages(query: str) -> list[Message]:
    lines = "\n".join(f'{pid}: "{title}" brand={brand} price={price}' for pid, title, brand,
                      price in PRODUCTS)  # fmt: skip
    return [
        {
            "role": "system",
            "content": "Rank the candidate products for the shopper, best first, and give one "
            "short reason per product based only on its data. Answer in JSON.",
        },
        {"role": "user", "content": f"Shopper: {query}\nCandidates:\n{lines}"},
    ]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="local", choices=["local", "openai"])
    parser.add_argument("--url", help="openai backend base URL")
    parser.add_argument("-n", type=int, default=10, help="requests per measurement")
    parser.add_argument("--max-tokens", type=int, default=400)
    args = parser.parse_args(argv)
    overrides: dict[str, Any] = {"llm_backend": args.backend}
    if args.url:
        overrides["llm_url"] = args.url
    llm = get_llm(Settings(**overrides))
    assert llm is not None
    queries = ["quiet wireless mouse", "cheap gaming mouse", "ergonomic mouse for office work"]
    try:  # loads the model / warms the server; not timed
        llm.complete_json(rerank_messages("warm-up"), SCHEMA, max_tokens=args.max_tokens,
                          timeout_s=120)
    except LLMError as exc:
        print(f"  warm-up: {type(exc).__name__}: {exc}", file=sys.stderr)

    json_s, ok = [], 0
    for i in range(args.n):
        t0 = time.perf_counter()
        try:
            text = llm.complete_json(rerank_messages(queries[i % len(queries)]), SCHEMA,
                                     max_tokens=args.max_tokens, timeout_s=120)  # fmt: skip
            ok += bool(json.loads(text)["items"])
        except LLMError as exc:
            print(f"  json #{i}: {type(exc).__name__}: {exc}", file=sys.stderr)
        json_s.append(time.perf_counter() - t0)
    print(f"backend={llm.name} n={args.n} (valid rankings {ok}/{args.n})")
    print(f"  {'rerank JSON':20s} p50 {pct(json_s, 0.5) * 1000:7.0f} ms   "
          f"p90 {pct(json_s, 0.9) * 1000:7.0f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
