"""Reading an uploaded or named note file's bytes as text, or saying clearly why not.

Korean note files come from many editors: UTF-8 with or without a BOM,
UTF-16 from Windows tools (always with a BOM), and the legacy CP949/EUC-KR of
older Korean Windows. Those are detected; anything else (a binary, a file in
another legacy encoding) is refused with the file's name and the line where
reading failed, so the person knows what to fix.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

#: The default largest file an import reads (``MEMO_IMPORT_MAX_BYTES``).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

#: Share of Hangul among the non-ASCII characters for a CP949 reading to be believed:
#: a file in another legacy encoding also "decodes" as CP949, into nonsense.
_CP949_HANGUL_SHARE = 0.6
#: Control characters no text file has (tab, line and form feeds are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_WIDE = re.compile(r"[^\x00-\x7f]")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3130-\u318f]")


@dataclass(frozen=True, slots=True)
class NoteText:
    text: str
    #: "utf-8", "utf-8-sig", "utf-16" or "cp949".
    encoding: str


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Why a file cannot be imported, as a sentence naming the file."""

    message: str


def decode_note_file(
    name: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES
) -> NoteText | Unreadable:
    """The file's text in the first encoding that reads it, or why it cannot be read."""
    large = too_large(name, len(data), max_bytes)
    if large is not None:
        return large
    if data.startswith(codecs.BOM_UTF8):
        decoded = _strict(data[len(codecs.BOM_UTF8) :], "utf-8")
        return _checked(name, data, decoded, "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _checked(name, data, _strict(data, "utf-16"), "utf-16")
    nul = data.find(b"\x00")
    if nul >= 0:
        return Unreadable(
            f"{name} is not a text file (line {_line_of(data, nul)} has a NUL byte). "
            "Import a .txt or .md note file."
        )
    utf8 = _strict(data, "utf-8")
    if isinstance(utf8, str):
        return _checked(name, data, utf8, "utf-8")
    cp949 = _strict(data, "cp949")
    if isinstance(cp949, str) and _mostly_hangul(cp949):
        return _checked(name, data, cp949, "cp949")
    return Unreadable(
        f"{name} is not UTF-8, UTF-16 or CP949/EUC-KR text: line {_line_of(data, utf8)} "
        "has bytes that are not UTF-8. Save it as UTF-8 and import it again."
    )


def too_large(name: str, size: int, max_bytes: int = DEFAULT_MAX_BYTES) -> Unreadable | None:
    """The refusal of a file over the limit; callers that can see the size check it first."""
    if size <= max_bytes:
        return None
    return Unreadable(over_limit(name, max_bytes, size))


def over_limit(name: str, max_bytes: int, size: int | None = None) -> str:
    """Why a file over the limit is refused; ``size`` None: a download stopped past the limit."""
    how_big = _size(size) if size is not None else f"more than {_size(max_bytes)}"
    return (
        f"{name} is {how_big}; files can be at most {_size(max_bytes)}. "
        "Split it (one post per file works) and import the parts."
    )


def _strict(data: bytes, encoding: str) -> str | int:
    """The decoded text, or the offset of the first byte that does not decode."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        return error.start


def _checked(name: str, data: bytes, decoded: str | int, encoding: str) -> NoteText | Unreadable:
    if isinstance(decoded, int):
        return Unreadable(
            f"{name} starts like {encoding.upper()} text but line {_line_of(data, decoded)} "
            "is not valid in it. Save it as UTF-8 and import it again."
        )
    control = _CONTROL.search(decoded)
    if control is not None:
        line = len(re.findall(r"\r\n|\r|\n", decoded[: control.start()])) + 1
        return Unreadable(
            f"{name} is not a text file (line {line} has control character "
            f"U+{ord(control.group()):04X}). Import a .txt or .md note file."
        )
    if not decoded.strip(" \t\r\n\ufeff"):
        return Unreadable(f"{name} is empty: there is nothing to import.")
    return NoteText(decoded, encoding)


def _line_of(data: bytes, offset: int) -> int:
    """The 1-based line of a byte offset, for LF, CRLF and CR line ends."""
    before = data[:offset]
    return before.count(b"\n") + before.replace(b"\r\n", b"").count(b"\r") + 1


def _mostly_hangul(text: str) -> bool:
    wide = len(_WIDE.findall(text))
    return wide > 0 and len(_HANGUL.findall(text)) >= _CP949_HANGUL_SHARE * wide


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 100_000 else f"{size:,} bytes"
