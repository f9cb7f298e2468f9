"""The Markdown -> Block Kit conversion: user text stays literal, limits hold, Slack takes it."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from adapters.slack import blocks
from adapters.slack.text import unescape
from bot.replies import markdown as md
from tests.fakes.slack import block_errors, rich_elements, shown_text

_USER_TEXT = (
    st.text(
        st.sampled_from([*"<>&|*_~`[]()!@#:;/\\.-+= abcXYZ019", "캐", "시", "→", "\u00a0"]),
        min_size=1,
        max_size=60,
    )
    .map(str.strip)
    .filter(bool)
)


def _only_literal_text(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The inline elements of a message, asserting Slack takes it and nothing is formatted."""
    assert not block_errors(message["blocks"]), block_errors(message["blocks"])
    elements = list(rich_elements(message["blocks"]))
    for element in elements:
        assert element["type"] in ("text", "emoji"), element
        assert "style" not in element, element
    return elements


@given(_USER_TEXT)
def test_user_text_reaches_slack_as_literal_text(text: str) -> None:
    message = blocks.message(md.escape(text))

    _only_literal_text(message)
    assert shown_text(message["blocks"]) == text
    assert message["mrkdwn"] is False
    assert "<" not in message["text"] and ">" not in message["text"], "no mention or link"
    assert unescape(message["text"]) == text


@given(_USER_TEXT)
def test_user_text_in_a_quote_is_one_quote_of_literal_text(text: str) -> None:
    message = blocks.message(md.quote(md.escape(text)))

    _only_literal_text(message)
    [block] = message["blocks"]
    [quote] = block["elements"]
    assert quote["type"] == "rich_text_quote"
    assert shown_text(message["blocks"]) == text


def test_a_display_name_with_asterisks_is_bold_as_a_whole() -> None:
    message = blocks.message(f"{md.bold('*Boss*')} noted in {md.title('_T_')} · #3")

    [block] = message["blocks"]
    assert block["elements"] == [
        {
            "type": "rich_text_section",
            "elements": [
                {"type": "text", "text": "*Boss*", "style": {"bold": True}},
                {"type": "text", "text": " noted in [_T_] · #3"},
            ],
        }
    ]
    assert message["text"] == "*Boss* noted in [_T_] · #3"


def test_emoji_codes_become_emoji_and_times_stay_text() -> None:
    message = blocks.message(
        md.escape("좋았음 :fire::fire: :+1::skin-tone-2: 12:30:00 <t:0:R> a:b:c")
    )

    elements = list(rich_elements(message["blocks"]))
    assert [e["name"] for e in elements if e["type"] == "emoji"] == [
        "fire",
        "fire",
        "+1::skin-tone-2",
    ]
    assert elements[-1] == {"type": "text", "text": " 12:30:00 <t:0:R> a:b:c"}


def test_a_long_reply_is_cut_into_blocks_within_slacks_limits() -> None:
    markdown = "\n".join(f"- **#{n}** alice, 10:00: {'가나다 ' * 100}" for n in range(1, 501))
    message = blocks.message(markdown)
    cut = message["blocks"]

    assert not block_errors(cut)
    assert len(cut) == blocks.MESSAGE_BLOCK_LIMIT
    assert all(len(shown_text([block])) <= blocks.SECTION_LIMIT for block in cut[:-1])
    assert cut[-1]["type"] == "context"
    assert "more lines" in cut[-1]["elements"][0]["text"]
    assert len(message["text"]) <= blocks.FALLBACK_LIMIT
    numbers = [e["text"] for e in rich_elements(cut) if e.get("style") == {"bold": True}]
    assert numbers == [f"#{n}" for n in range(1, len(numbers) + 1)], "no item lost or repeated"


def test_a_long_ordered_list_goes_on_numbering_across_blocks() -> None:
    markdown = "\n".join(f"{n}. {'나' * 290}" for n in range(1, 31))

    cut = blocks.message(markdown)["blocks"]

    assert len(cut) > 1 and not block_errors(cut)
    numbers = [line.split(".")[0] for line in shown_text(cut).splitlines()]
    assert numbers == [str(n) for n in range(1, 31)]


def test_one_line_longer_than_a_block_is_split_and_nothing_is_lost() -> None:
    message = blocks.message(md.escape("<" * 4000))

    texts = [shown_text([block]) for block in message["blocks"]]
    assert all(len(text) <= blocks.SECTION_LIMIT for text in texts)
    assert "".join(texts) == "<" * 4000
    assert not block_errors(message["blocks"])


def test_a_memo_longer_than_a_block_in_a_list_goes_on_without_a_new_bullet() -> None:
    memo = "가" * 3500
    message = blocks.message(f"**[T]** · Thu 2025-09-25\n- **#1** alice, 10:00: {memo}")

    assert not block_errors(message["blocks"])
    shown = shown_text(message["blocks"])
    assert shown.count("• ") == 1
    assert shown.replace("\n", "").count("가") == 3500


def test_core_formatting_becomes_rich_text_styles() -> None:
    markdown = "**alice** noted in [Envoy] · #3\n_Matched “x”._\n> 첫 줄\n> 둘째 줄"

    [block] = blocks.message(markdown)["blocks"]

    assert block["elements"] == [
        {
            "type": "rich_text_section",
            "elements": [
                {"type": "text", "text": "alice", "style": {"bold": True}},
                {"type": "text", "text": " noted in [Envoy] · #3\n"},
                {"type": "text", "text": "Matched “x”.", "style": {"italic": True}},
            ],
        },
        {"type": "rich_text_quote", "elements": [{"type": "text", "text": "첫 줄\n둘째 줄"}]},
    ]


def test_every_kind_of_block_the_core_writes_keeps_its_shape() -> None:
    markdown = (
        "# Day 1\n\n1. first\n2. second\n   - nested\n3. third\n\n> quoted **bold**\n>\n> again\n\n"
        "[docs](https://docs.example/a?b=1&c=2) and `x<y`\n\n---\n\n```\na < b\n```"
    )

    message = blocks.message(markdown)

    assert not block_errors(message["blocks"])
    [block] = message["blocks"]
    assert block["elements"] == [
        {
            "type": "rich_text_section",
            "elements": [{"type": "text", "text": "Day 1", "style": {"bold": True}}],
        },
        {
            "type": "rich_text_list",
            "style": "ordered",
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": "first"}]},
                {"type": "rich_text_section", "elements": [{"type": "text", "text": "second"}]},
            ],
        },
        {
            "type": "rich_text_list",
            "style": "bullet",
            "indent": 1,
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": "nested"}]}
            ],
        },
        {
            "type": "rich_text_list",
            "style": "ordered",
            "offset": 2,
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": "third"}]}
            ],
        },
        {
            "type": "rich_text_quote",
            "elements": [
                {"type": "text", "text": "quoted "},
                {"type": "text", "text": "bold", "style": {"bold": True}},
                {"type": "text", "text": "\n\nagain"},
            ],
        },
        {
            "type": "rich_text_section",
            "elements": [
                {"type": "link", "url": "https://docs.example/a?b=1&c=2", "text": "docs"},
                {"type": "text", "text": " and "},
                {"type": "text", "text": "x<y", "style": {"code": True}},
                {"type": "text", "text": "\n───"},
            ],
        },
        {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": "a < b"}]},
    ]
    assert message["text"] == (
        "Day 1\n1. first\n2. second\n   • nested\n3. third\nquoted bold\n\nagain\n"
        "docs and x&lt;y\n───\na &lt; b"
    )


def test_raw_html_is_shown_as_text_never_dropped() -> None:
    message = blocks.message("<div>\nnote\n</div>")

    assert shown_text(message["blocks"]) == "<div>\nnote\n</div>"


def test_plain_text_has_no_markup_at_all() -> None:
    markdown = "The memo is empty. Write it after the title: `/memo add [Session title] note`."
    assert blocks.to_plain_text(markdown) == (
        "The memo is empty. Write it after the title: /memo add [Session title] note."
    )
