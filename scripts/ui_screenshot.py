"""Screenshot of a running chat page for the docs: a real conversation at laptop size, one card
liked from the keyboard.

    SHOPCHAT_LLM_BACKEND=none shopchat serve --catalog icecat --port 7877 &
    python scripts/ui_screenshot.py --url http://127.0.0.1:7877 --out docs/chat-page.png
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ui.browser import VIEWPORTS, converse  # the browser tests' own driver

CONVERSATION = ["wireless mouse under $30", "only Logitech", "why the second one?"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860")
    parser.add_argument("--message", action="append", help="Messages to send, in order "
                        f"(default: {' / '.join(CONVERSATION)}).")
    parser.add_argument("--like", type=int, default=2, help="Card to like (1-based).")
    parser.add_argument("--viewport", choices=list(VIEWPORTS), default="laptop")
    parser.add_argument("--full", action="store_true", help="The whole page, not one screen.")
    parser.add_argument("--out", type=Path, default=Path("docs/chat-page.png"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        page = converse(args.url, args.message or CONVERSATION, args.viewport, shots=Path(tmp),
                        like=args.like)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page.screenshots[1 if args.full else 0], args.out)
    print(f"{len(page.cards)} cards; liked: {page.keyboard_liked.splitlines()[0]}; "
          f"saved {args.out}")


if __name__ == "__main__":
    main()
