"""Screenshot of a running chat page for the docs: type a query, wait for the cards, like one.

    shopchat serve --catalog icecat &
    python scripts/ui_screenshot.py --url http://127.0.0.1:7860 --out docs/chat-page.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ui.browser import visit  # the browser test's own driver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860")
    parser.add_argument("--query", default="wireless mouse under $30")
    parser.add_argument("--like", type=int, default=2, help="Card to like (1-based).")
    parser.add_argument("--out", type=Path, default=Path("docs/chat-page.png"))
    args = parser.parse_args()
    page = visit(args.url, args.query, args.out, like=args.like)
    print(f"{len(page.cards)} cards; liked: {page.liked_card.splitlines()[0]}; saved {args.out}")


if __name__ == "__main__":
    main()
