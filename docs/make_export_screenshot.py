"""Regenerate docs/export-day.png: one exported day of the sample notes, as a browser shows it.

Run by hand after a change to the Markdown export (not in CI: it needs Chromium):

    apt-get install -y chromium fonts-noto-cjk fonts-noto-color-emoji
    .venv/bin/python docs/make_export_screenshot.py [--date 2026-05-15] [--output PATH]

It imports the three sample blog files into a fresh SQLite database with
``memo-bot import``, exports one day with ``memo-bot export`` (the Markdown a
user gets), converts that Markdown to HTML with markdown-it-py (CommonMark, an
independent parser) and has headless Chromium render it: the first run measures
the page's height, the second takes the screenshot at that height.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "samples"
BLOG_FILES = ("blog-notes.txt", "blog-notes-english.txt", "blog-notes-terse.txt")
WIDTH = 860
#: A plain blog page: what a reader of the exported post would see.
STYLE = """
body { margin: 0; background: #fff; color: #1f2328;
       font: 16px/1.6 "Noto Sans CJK KR", "Noto Sans", sans-serif; }
main { max-width: 760px; margin: 0 auto; padding: 32px 40px 48px; }
h1 { font-size: 28px; margin: 8px 0 24px; }
h2 { font-size: 20px; margin: 32px 0 12px; }
h3 { font-size: 17px; margin: 20px 0 8px; }
p { margin: 0 0 14px; }
hr { border: 0; border-top: 1px solid #d0d7de; margin: 28px 0; }
"""
_HEIGHT = re.compile(r'data-height="(\d+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--date", default="2026-05-15", help="the day to export")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "export-day.png")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or sys.exit("Install Chromium: apt-get install chromium")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        markdown = _exported_day(work, args.date)
        page = work / "day.html"
        page.write_text(_html(markdown), encoding="utf-8")
        height = _page_height(chromium, page)
        _screenshot(chromium, page, height, args.output.resolve())
    print(f"Wrote {args.output} ({WIDTH}x{height})")


def _exported_day(work: Path, day: str) -> str:
    """The Markdown ``memo-bot export --date`` writes after importing the sample blog files."""
    memo_bot = str(Path(sys.executable).parent / "memo-bot")
    database = f"sqlite:///{work / 'memo-bot.db'}"
    files = [str(SAMPLES / name) for name in BLOG_FILES]
    subprocess.run([memo_bot, "import", *files, "--db", database], check=True, capture_output=True)
    exported = work / "day.md"
    subprocess.run(
        [memo_bot, "export", "--date", day, "--db", database, "-o", str(exported)],
        check=True,
        capture_output=True,
    )
    return exported.read_text(encoding="utf-8")


def _html(markdown: str) -> str:
    body = MarkdownIt("commonmark").render(markdown)
    # Written into the page once it has laid out, for the measuring run to read.
    measure = (
        "document.body.dataset.height = "
        "Math.ceil(document.documentElement.getBoundingClientRect().height);"
    )
    return (
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
        f"<title>{html.escape('export')}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main><script>{measure}</script></body></html>"
    )


def _chromium(chromium: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *options],
        check=True,
        capture_output=True,
        text=True,
    )


def _page_height(chromium: str, page: Path) -> int:
    dom = _chromium(chromium, f"--window-size={WIDTH},800", "--dump-dom", page.as_uri()).stdout
    found = _HEIGHT.search(dom)
    if found is None:
        sys.exit("Chromium did not lay the page out")
    return int(found.group(1))


def _screenshot(chromium: str, page: Path, height: int, output: Path) -> None:
    _chromium(chromium, f"--window-size={WIDTH},{height}", f"--screenshot={output}", page.as_uri())


if __name__ == "__main__":
    main()
