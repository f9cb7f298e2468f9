"""Reading a note file's bytes: UTF-8 and UTF-16/32 with a BOM, and the legacy encodings of
Korean, Japanese and Chinese Windows, each read as what it is; anything else refused by line."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.notefiles.decode import NoteText, Unreadable, decode_note_file

SAMPLES = Path(__file__).parent.parent / "samples"
KOREAN = (SAMPLES / "blog-notes.txt").read_text(encoding="utf-8")

JAPANESE = """2025年9月25日 木曜日

TechConf Tokyo 2025 1日目 セッションメモ
聞きながら覚えておきたいことだけメモした。

[大規模トラフィックを捌くキャッシュ設計]
登壇: 決済サービスのバックエンドリード
・L1 はアプリ内ローカルキャッシュ、TTL 3秒
・L2 は Redis クラスタ、書き込み時に無効化
> DB の読み取り QPS が 85% 減った

------------------------------------------------------------

[Kotlin コルーチンでバッチサーバーを書き直す]
処理時間 4時間 → 50分、メモリは 6GB → 2.5GB
結論：測らなければ最適化もできない
"""

CHINESE = """2025年9月25日 星期四

QCon 北京 2025 第一天 参会笔记
边听边记，只记重要的。

[支撑大规模支付流量的缓存设计]
讲者：支付服务后端负责人
一级缓存：应用本地缓存（Caffeine），TTL 3 秒
> 数据库读取 QPS 下降了 85%

------------------------------------------------------------

[用 Kotlin 协程重写批处理服务器]
处理时间从 4 小时降到 50 分钟，内存从 6GB 降到 2.5GB
结论：没有度量就没有优化
"""

TRADITIONAL_CHINESE = """2025年9月25日 星期四

COSCUP 2025 第一天 議程筆記
邊聽邊記，只記重要的。

[支撐大規模支付流量的快取設計]
講者：支付服務後端負責人
一級快取：應用程式本地快取，TTL 3 秒
> 資料庫讀取 QPS 下降了 85%
結論：沒有量測就沒有最佳化
"""


def _read(data: bytes) -> str:
    decoded = decode_note_file("notes.txt", data)
    assert isinstance(decoded, NoteText), decoded
    return decoded.text


def _refusal(data: bytes) -> str:
    decoded = decode_note_file("notes.txt", data)
    assert isinstance(decoded, Unreadable), decoded
    return decoded.message


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (JAPANESE, "shift_jis"),
        (JAPANESE, "cp932"),
        (JAPANESE, "euc_jp"),
        (CHINESE, "gbk"),
        (CHINESE, "gb2312"),
        (CHINESE, "gb18030"),
        (TRADITIONAL_CHINESE, "big5"),
    ],
)
def test_japanese_and_chinese_legacy_files_read_as_what_they_are(text: str, encoding: str) -> None:
    assert _read(text.encode(encoding)) == text


@pytest.mark.parametrize("encoding", ["cp949", "euc_kr"])
def test_the_korean_sample_in_legacy_korean_reads_as_itself(encoding: str) -> None:
    text = KOREAN.replace("—", "-").replace("\u00a0", " ")

    assert _read(text.encode(encoding)) == text


def _korean_lines() -> list[str]:
    lines = set(KOREAN.split("\n")) | set((SAMPLES / "chat-transcript.txt").read_text().split("\n"))
    return sorted(line for line in lines if any("가" <= char <= "힣" for char in line))


def test_every_short_korean_file_in_cp949_reads_as_korean() -> None:
    """Detectors guess badly on a few bytes; a one-line Korean note must still be Korean."""
    misread = []
    for line in _korean_lines():
        text = f"2025-09-25\nConf\n[Talk]\n{line}\n"
        try:
            data = text.encode("cp949")
        except UnicodeEncodeError:
            continue  # a character CP949 has no code for (an emoji, U+00A0)
        decoded = decode_note_file("notes.txt", data)
        if not isinstance(decoded, NoteText) or decoded.text != text:
            misread.append(line)
    assert misread == []


#: Hangul syllables and jamo that EUC-KR (KS X 1001) encodes: everyday Korean.
_EVERYDAY_HANGUL = [
    char
    for char in (chr(code) for code in range(0xAC00, 0xD7A4))
    if len(char.encode("euc_kr", errors="ignore")) == 2
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(_EVERYDAY_HANGUL), min_size=1, max_size=6).map("".join),
        min_size=1,
        max_size=8,
    ).map(" ".join)
)
def test_any_short_hangul_note_in_cp949_is_never_read_as_another_language(words: str) -> None:
    text = f"2025-09-25\n{words}\n"
    data = text.encode("cp949")
    # The one exception: bytes that are valid UTF-8 too (only a few syllables, such as 징,
    # have such bytes, and a word of them rarely) read as UTF-8, which is what the same
    # bytes mean in a UTF-8 file with é, ü or °.
    assume(not _is_utf8(data))

    assert _read(data) == text


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "캐시 메모\n".encode(), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "캐시 메모\n".encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + "캐시 메모\n".encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF32_LE + "캐시 메모\n".encode("utf-32-le"), "utf-32"),
        ("캐시 메모\n".encode(), "utf-8"),
    ],
)
def test_unicode_files_are_read_by_their_byte_order_mark_or_as_utf8(
    data: bytes, encoding: str
) -> None:
    decoded = decode_note_file("notes.txt", data)

    assert decoded == NoteText("캐시 메모\n", encoding)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        ("2025-09-06\nConf Day 1\n[Talk]\ncaf\xe9 cr\xe8me\n".encode("latin-1"), 4),
        (b"2025-09-06\nConf\n" + bytes(range(0x80, 0x100)) * 3, 3),
        (b"2025-09-06\n\x89PNG\r\n\x1a\n" + bytes(range(0x80, 0xFF)), 4),
    ],
)
def test_bytes_no_encoding_reads_are_refused_with_the_line(data: bytes, line: int) -> None:
    message = _refusal(data)

    assert message.startswith("notes.txt ")
    assert f"line {line}" in message


def test_a_korean_file_with_a_broken_byte_is_refused_where_it_breaks() -> None:
    text = "2025-09-25\n회고 메모\n[캐시 설계]\n" + "캐시를 두 단계로 나눔\n" * 30
    data = text.encode("cp949")
    broken = data[:-20] + b"\xff" + data[-19:]

    message = _refusal(broken)

    assert "line 33" in message


def test_utf8_with_accents_stays_utf8_though_its_bytes_are_also_korean() -> None:
    text = "2025-09-06\nMüller, 25°C, café\n"

    assert _read(text.encode()) == text
