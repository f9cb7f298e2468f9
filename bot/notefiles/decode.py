"""Reading an uploaded or named note file's bytes as text, or saying clearly why not.

Note files come from many editors: UTF-8 with or without a BOM, UTF-16 (and
rarely UTF-32) from Windows tools, always with a BOM, and the legacy encodings
of Korean, Japanese and Chinese Windows: CP949/EUC-KR, Shift-JIS (CP932) and
EUC-JP, GBK/GB18030 and Big5. Those are read as what they are; anything else
(a binary, Latin-1, a file damaged halfway) is refused with the file's name and
the line where reading failed, so the person knows what to fix.

Legacy files carry no label, and their bytes often decode in several of these
encodings (Chinese GBK decodes as Korean CP949, into nonsense). The file is
decoded strictly in each, and charset-normalizer judges which reading looks
most like text. Korean comes first, because it is what most of our users write
and detectors guess badly on a few bytes (a one-line Korean note mixing
``Envoy로`` reads "cleaner" as Shift-JIS to the detector):

- bytes that are EUC-KR and read as Hangul only (no Hanja, kana or other
  letters) are Korean, without asking the detector;
- a CP949 reading made mostly of what Korean seldom writes (CP949's extension
  syllables, lone jamo) is not Korean: that is how Shift-JIS and EUC-JP read;
- otherwise CP949 wins when the detector has no opinion (too few bytes) or
  finds no reading cleaner than the Korean one.

Bytes that are valid UTF-8 are UTF-8, also in the rare short Korean file whose
every syllable (징, 쨈) has CP949 bytes that form valid UTF-8: the same bytes are
what a UTF-8 file with é, ü or ° holds, and UTF-8 is what we ask people to use.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from bot.i18n import _
from bot.replies.markdown import file_name

#: The default largest file an import reads (``MEMO_IMPORT_MAX_BYTES``).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

#: Byte order marks, longest first (a UTF-32 mark begins like a UTF-16 one).
_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: The legacy encodings read, Korean first; each the superset Windows writes of its family
#: (CP949 of EUC-KR, CP932 of Shift-JIS, GB18030 of GBK and GB2312, CP950 of Big5).
_KOREAN = "cp949"
_LEGACY = (_KOREAN, "cp932", "euc_jis_2004", "gb18030", "cp950")
_LEGACY_NAMES = "CP949/EUC-KR, Shift-JIS, EUC-JP, GBK/GB18030 or Big5"
#: Readings whose "mess" differs by less than this are a tie (charset-normalizer's own margin).
_TIE = 0.005
#: Hangul syllables and compatibility jamo (ㅋㅋ, ㅠ).
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")
_NOT_ASCII_OR_HANGUL = re.compile(r"[^\x00-\x7f\uac00-\ud7a3\u3131-\u318e]")
#: Control characters no text file has (tab, line and form feeds are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class NoteText:
    text: str
    #: "utf-8", "utf-8-sig", "utf-16", "utf-32", or one of the legacy encodings above.
    encoding: str


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Why a file cannot be imported, as a sentence naming the file."""

    message: str


def decode_note_file(
    name: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES
) -> NoteText | Unreadable:
    """The file's text in the encoding it is in, or why it cannot be read."""
    large = too_large(name, len(data), max_bytes)
    if large is not None:
        return large
    shown = file_name(name)
    for mark, encoding in _MARKS:
        if data.startswith(mark):
            if encoding != "utf-8-sig":
                return _checked(shown, data, _strict(data, encoding), encoding)
            decoded = _strict(data[len(mark) :], "utf-8")
            at = decoded + len(mark) if isinstance(decoded, int) else decoded
            return _checked(shown, data, at, encoding)
    nul = data.find(b"\x00")
    if nul >= 0:
        return Unreadable(
            _(
                "%(file)s is not a text file (line %(line)s has a NUL byte). "
                "Import a .txt or .md note file."
            )
            % {"file": shown, "line": _line_of(data, nul)}
        )
    utf8 = _strict(data, "utf-8")
    if isinstance(utf8, str):
        return _checked(shown, data, utf8, "utf-8")
    return _legacy(shown, data, utf8)


def _legacy(shown: str, data: bytes, utf8_error: int) -> NoteText | Unreadable:
    """The file in the legacy encoding it reads as best, Korean first (module docstring)."""
    readings: dict[str, str] = {}
    furthest = utf8_error
    for encoding in _LEGACY:
        decoded = _strict(data, encoding)
        if isinstance(decoded, int):
            furthest = max(furthest, decoded)
            continue
        if encoding == _KOREAN and _everyday_korean(data, decoded):
            return _checked(shown, data, decoded, encoding)  # the others need not be tried
        readings[encoding] = decoded
    chosen = _most_textlike(data, readings)
    if chosen is None:
        where = _line_of(data, furthest if not readings else utf8_error)
        return Unreadable(
            _(
                "%(file)s is not UTF-8, UTF-16 or %(encodings)s text: line %(line)s has bytes "
                "none of them reads. Save it as UTF-8 and import it again."
            )
            % {"file": shown, "encodings": _LEGACY_NAMES, "line": where}
        )
    return _checked(shown, data, readings[chosen], chosen)


def _everyday_korean(data: bytes, text: str) -> bool:
    """Whether the bytes are EUC-KR (the 2,350 everyday Hangul of KS X 1001, not CP949's
    extension) and read as Hangul: no Hanja, kana, Greek or other letters.

    Japanese and Chinese files seldom read so: Shift-JIS and Big5 use bytes EUC-KR
    has no place for, and GBK's and EUC-JP's later rows become Hanja, kana Greek.
    Korean notes nearly always do, and the detector is never asked about them.
    """
    if _strict(data, "euc_kr") != text:
        return False
    return not any(char.isalpha() for char in _NOT_ASCII_OR_HANGUL.findall(text))


def _mostly_everyday_hangul(text: str) -> bool:
    """Whether most of the reading's Hangul are everyday (KS X 1001) syllables.

    Korean seldom needs CP949's extension syllables (똠, 햏), and writes lone
    jamo (ㅋㅋ) far less than syllables. Shift-JIS kana and kanji read as CP949
    become extension syllables, EUC-JP kana become jamo: such a reading is not Korean.
    """
    syllables = "".join(_SYLLABLE.findall(text))
    jamo = len(_HANGUL.findall(text)) - len(syllables)
    # EUC-KR writes an everyday syllable in 2 bytes and any other in 8 (a KS X 1001
    # make-up sequence), which counts them without a loop over characters.
    extension = (len(syllables.encode("euc_kr")) - 2 * len(syllables)) // 6
    everyday = len(syllables) - extension
    return 2 * everyday >= everyday + extension + jamo


def _most_textlike(data: bytes, readings: dict[str, str]) -> str | None:
    """Which reading charset-normalizer finds most like text; Korean wins ties and files too
    short for it to judge. None when no reading looks like text at all."""
    candidates = [
        encoding
        for encoding, text in readings.items()
        if encoding != _KOREAN or len(readings) == 1 or _mostly_everyday_hangul(text)
    ]
    if not candidates:
        return None
    judged = {match.encoding: match for match in from_bytes(data, cp_isolation=candidates)}
    ranked = [match for match in judged.values() if match.encoding in candidates]
    if not ranked:
        return _KOREAN if _KOREAN in candidates else None
    best = ranked[0]  # charset-normalizer's order: least mess, then language, then width
    korean = judged.get(_KOREAN)
    if korean is not None and korean.chaos - best.chaos < _TIE:
        return _KOREAN
    return best.encoding


def too_large(name: str, size: int, max_bytes: int = DEFAULT_MAX_BYTES) -> Unreadable | None:
    """The refusal of a file over the limit; callers that can see the size check it first."""
    if size <= max_bytes:
        return None
    return Unreadable(over_limit(name, max_bytes, size))


def over_limit(name: str, max_bytes: int, size: int | None = None) -> str:
    """Why a file over the limit is refused; ``size`` None: a download stopped past the limit."""
    how_big = (
        _size(size) if size is not None else _("more than %(size)s") % {"size": _size(max_bytes)}
    )
    return _(
        "%(file)s is %(size)s; files can be at most %(limit)s. "
        "Split it (one post per file works) and import the parts."
    ) % {"file": file_name(name), "size": how_big, "limit": _size(max_bytes)}


def _strict(data: bytes, encoding: str) -> str | int:
    """The decoded text, or the offset of the first byte that does not decode."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        return error.start


def _checked(name: str, data: bytes, decoded: str | int, encoding: str) -> NoteText | Unreadable:
    if isinstance(decoded, int):
        return Unreadable(
            _(
                "%(file)s starts like %(encoding)s text but line %(line)s "
                "is not valid in it. Save it as UTF-8 and import it again."
            )
            % {
                "file": name,
                "encoding": encoding.upper(),
                "line": _line_of(data, decoded, encoding),
            }
        )
    control = _CONTROL.search(decoded)
    if control is not None:
        line = len(re.findall(r"\r\n|\r|\n", decoded[: control.start()])) + 1
        return Unreadable(
            _(
                "%(file)s is not a text file (line %(line)s has control character "
                "%(character)s). Import a .txt or .md note file."
            )
            % {"file": name, "line": line, "character": f"U+{ord(control.group()):04X}"}
        )
    if not decoded.strip(" \t\r\n\ufeff"):
        return Unreadable(_("%(file)s is empty: there is nothing to import.") % {"file": name})
    return NoteText(decoded, encoding)


def _line_of(data: bytes, offset: int, encoding: str = "utf-8") -> int:
    """The 1-based line of a byte offset, for LF, CRLF and CR line ends.

    In UTF-16 and UTF-32 a 0x0A byte can be half of any character, so the text
    before the offset is counted; the other encodings never use it inside one.
    """
    if encoding.startswith(("utf-16", "utf-32")):
        text = data[:offset].decode(encoding, errors="replace")
        return len(re.findall(r"\r\n|\r|\n", text)) + 1
    before = data[:offset]
    return before.count(b"\n") + before.replace(b"\r\n", b"").count(b"\r") + 1


def _size(size: int) -> str:
    if size >= 100_000:
        return _("%(size)s MB") % {"size": f"{size / (1024 * 1024):.1f}"}
    return _("%(size)s bytes") % {"size": f"{size:,}"}
