"""The Markdown -> Block Kit conversion: user text stays literal, limits hold."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adapters.slack import blocks
from adapters.slack.text import unescape
from bot import markdown as md

_USER_TEXT = (
    st.text(
        st.sampled_from([*"<>&|*_~`[]()!@#:;/\\.-+= abcXYZ019", "캐", "시", "→", "\u00a0"]),
        min_size=1,
        max_size=60,
    )
    .map(str.strip)
    .filter(bool)
)


@given(_USER_TEXT)
def test_user_text_reaches_slack_escaped_and_unchanged(text: str) -> None:
    mrkdwn = blocks.to_mrkdwn(md.escape(text))
    assert "<" not in mrkdwn and ">" not in mrkdwn, "nothing Slack could read as a mention or link"
    assert unescape(mrkdwn) == text


@given(_USER_TEXT)
def test_user_text_in_a_quote_keeps_only_our_quote_marker(text: str) -> None:
    mrkdwn = blocks.to_mrkdwn(md.quote(md.escape(text)))
    assert mrkdwn.startswith("> ")
    body = mrkdwn[2:]
    assert "<" not in body and ">" not in body
    assert unescape(body) == text


def test_a_long_reply_is_cut_into_sections_within_slacks_limits() -> None:
    markdown = "\n".join(f"- **#{n}** alice, 10:00: {'가나다 ' * 100}" for n in range(1, 501))
    message = blocks.message(markdown)
    sections = message["blocks"]

    assert len(sections) == blocks.MESSAGE_BLOCK_LIMIT
    assert all(len(block["text"]["text"]) <= blocks.SECTION_LIMIT for block in sections[:-1])
    assert sections[-1]["type"] == "context"
    assert "more lines" in sections[-1]["elements"][0]["text"]
    assert len(message["text"]) <= blocks.FALLBACK_LIMIT


def test_one_line_longer_than_a_section_is_split_without_breaking_an_entity() -> None:
    mrkdwn = blocks.to_mrkdwn(md.escape("<" * 4000))
    pieces = blocks.sections(mrkdwn, blocks.MESSAGE_BLOCK_LIMIT)
    texts = [block["text"]["text"] for block in pieces]
    assert all(len(text) <= blocks.SECTION_LIMIT for text in texts)
    assert "".join(texts) == "&lt;" * 4000


def test_core_formatting_becomes_slack_formatting() -> None:
    markdown = "**alice** noted in [Envoy] · #3\n_Matched “x”._\n> 첫 줄\n> 둘째 줄"
    assert blocks.to_mrkdwn(markdown) == (
        "*alice* noted in [Envoy] · #3\n_Matched “x”._\n> 첫 줄\n> 둘째 줄"
    )
    listing = "**Sessions**\n- [A] · 2 memos\n- [B] · `code`"
    assert blocks.to_mrkdwn(listing) == "*Sessions*\n• [A] · 2 memos\n• [B] · `code`"


def test_plain_text_has_no_markup_at_all() -> None:
    markdown = "The memo is empty. Write it after the title: `/memo add [Session title] note`."
    assert blocks.to_plain_text(markdown) == (
        "The memo is empty. Write it after the title: /memo add [Session title] note."
    )


def test_every_kind_of_block_the_core_writes_keeps_its_shape() -> None:
    markdown = (
        "# Day 1\n\n1. first\n2. second\n   - nested\n\n> quoted **bold**\n>> deeper\n\n"
        "[docs](https://docs.example/a?b=1&c=2) and `x<y`\n\n---\n\n```\na < b\n```"
    )
    assert blocks.to_mrkdwn(markdown) == (
        "*Day 1*\n1. first\n2. second\n   • nested\n> quoted *bold*\n> > deeper\n"
        "<https://docs.example/a?b=1&amp;c=2|docs> and `x&lt;y`\n───\n```a &lt; b```"
    )


def test_raw_html_is_shown_as_text_never_dropped() -> None:
    assert blocks.to_mrkdwn("<div>\nnote\n</div>") == "&lt;div&gt;\nnote\n&lt;/div&gt;"
