"""User text in replies renders as exactly that text, whatever Markdown it contains."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.replies.markdown import escape, note

COMMONMARK = MarkdownIt("commonmark")

# Markdown punctuation, letters, digits, Hangul and a few symbols from real notes.
_ALPHABET = st.sampled_from(
    [*"\\`*_[]()<>!#&;:|~-+=.0123456789abcXYZ/@", "캐", "시", "를", " ", "→", "\u00a0"]
)
_LINE = st.text(_ALPHABET, min_size=1, max_size=40).map(str.strip).filter(bool)


def _rendered_text(markdown: str) -> str:
    return COMMONMARK.render(markdown)


@given(_LINE)
def test_any_line_renders_as_itself(line: str) -> None:
    assert _rendered_text(escape(line)) == f"<p>{html.escape(line, quote=False)}</p>\n"


@given(st.lists(_LINE, min_size=2, max_size=4))
def test_any_lines_render_as_one_paragraph_of_themselves(lines: list[str]) -> None:
    expected = "\n".join(html.escape(line, quote=False) for line in lines)
    assert _rendered_text(escape("\n".join(lines))) == f"<p>{expected}</p>\n"


def test_a_disguised_link_shows_its_brackets_and_address() -> None:
    rendered = _rendered_text(escape("[공식 문서](https://evil.example) 참고"))
    assert "<a " not in rendered
    assert "[공식 문서](https://evil.example)" in rendered


def test_mention_syntax_is_not_html_or_an_autolink() -> None:
    rendered = _rendered_text(escape("<!channel> <@U123> <https://evil.example|docs>"))
    assert "<a " not in rendered
    assert "&lt;!channel&gt;" in rendered


def test_ordinary_notes_stay_readable() -> None:
    note = "p99 latency 210ms → 45ms, pg_partman 으로 파티션 자동 생성, C++ 1:N AVX-512"
    assert escape(note) == note


@given(st.lists(st.tuples(st.sampled_from(["", " ", "  ", "    "]), _LINE), min_size=1, max_size=4))
def test_a_whole_note_keeps_each_lines_indent(lines: list[tuple[str, str]]) -> None:
    text = "\n".join(indent + line for indent, line in lines)
    shown = "\n".join(
        html.escape("\u00a0" * len(indent) + line, quote=False) for indent, line in lines
    )
    # markdown-it trims a paragraph's ends, the first line's non-breaking spaces too.
    expected = f"<p>{shown.lstrip(chr(0xA0))}</p>\n"

    assert _rendered_text(note(text)) == expected
