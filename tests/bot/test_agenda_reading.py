"""Reading programmes: the three sample formats agree, and bad files get one clear line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.entries import Programme
from bot.agenda.reading import read_programme
from bot.notefiles.decode import Unreadable

SAMPLES = Path(__file__).parent.parent / "samples"
SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")
HEADER = "title,date,start,end,room,track,speakers\r\n"


def _read(name: str, data: bytes | str, zone: ZoneInfo = SEOUL) -> Programme:
    raw = data.encode() if isinstance(data, str) else data
    programme = read_programme(name, raw, zone)
    assert isinstance(programme, Programme), programme
    return programme


def _refusal(name: str, data: bytes | str, zone: ZoneInfo = SEOUL) -> str:
    raw = data.encode() if isinstance(data, str) else data
    refused = read_programme(name, raw, zone)
    assert isinstance(refused, Unreadable), refused
    assert "\n" not in refused.message
    return refused.message


def _talks(programme: Programme) -> list[tuple[object, ...]]:
    return sorted((e.title, e.start, e.end, e.room, e.track, e.speakers) for e in programme.entries)


def test_the_three_sample_formats_give_the_same_52_sessions() -> None:
    read = {
        name: _read(name, (SAMPLES / name).read_bytes())
        for name in ("agenda.ics", "agenda.csv", "agenda.schedule.json")
    }
    talks = {name: _talks(programme) for name, programme in read.items()}
    assert len(talks["agenda.ics"]) == 52
    assert talks["agenda.ics"] == talks["agenda.csv"] == talks["agenda.schedule.json"]
    assert read["agenda.ics"].time_zone == read["agenda.schedule.json"].time_zone == "Asia/Seoul"
    assert read["agenda.schedule.json"].name == "DEVRIVER 2025"


def test_the_sample_calendar_keeps_folded_and_escaped_titles_and_its_time_zone() -> None:
    programme = _read("agenda.ics", (SAMPLES / "agenda.ics").read_bytes(), BERLIN)
    titles = {e.title: e for e in programme.entries}
    folded = titles["GraphQL 페더레이션: 서브그래프 40개, 3년 운영에서 배운 스키마 거버넌스"]
    # 13:40 in Seoul whatever zone the channel had: the file's TZID wins.
    assert folded.start == datetime(2025, 9, 25, 4, 40, tzinfo=UTC)
    assert folded.room == "301호" and folded.track == "Track B"
    assert folded.speakers == ("남궁서진 (피리소프트)",)
    parallel = [
        e.title for e in programme.entries if e.start == datetime(2025, 9, 26, 4, 40, tzinfo=UTC)
    ]
    assert {"Kafka 없이 만든 이벤트 파이프라인", "신입 개발자 온보딩 자동화"} <= set(parallel)


def _calendar(*events: str) -> str:
    body = "".join(f"BEGIN:VEVENT\r\n{event}END:VEVENT\r\n" for event in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{body}END:VCALENDAR\r\n"


def test_an_all_day_event_is_skipped_with_a_warning_and_utc_times_are_read() -> None:
    programme = _read(
        "x.ics",
        _calendar(
            "UID:1\r\nSUMMARY:Registration\r\nDTSTART;VALUE=DATE:20250925\r\n"
            "DTEND;VALUE=DATE:20250926\r\n",
            "UID:2\r\nSUMMARY:Opening\r\nDTSTART:20250925T010000Z\r\nDURATION:PT40M\r\n",
        ),
    )
    assert [(e.title, e.start, e.end) for e in programme.entries] == [
        (
            "Opening",
            datetime(2025, 9, 25, 1, 0, tzinfo=UTC),
            datetime(2025, 9, 25, 1, 40, tzinfo=UTC),
        )
    ]
    assert len(programme.warnings) == 1
    assert "Registration" in programme.warnings[0] and "all day" in programme.warnings[0]


def test_floating_calendar_times_are_in_the_conference_zone_across_a_dst_change() -> None:
    programme = _read(
        "x.ics",
        _calendar(
            "UID:1\r\nSUMMARY:Before\r\nDTSTART:20251025T100000\r\nDTEND:20251025T104000\r\n",
            "UID:2\r\nSUMMARY:After\r\nDTSTART:20251026T100000\r\nDTEND:20251026T104000\r\n",
        ),
        BERLIN,
    )
    starts = {e.title: e.start.astimezone(UTC).hour for e in programme.entries}
    assert starts == {"Before": 8, "After": 9}  # CEST, then CET


def test_an_unknown_tzid_is_read_in_the_conference_zone_with_a_warning() -> None:
    programme = _read(
        "x.ics",
        _calendar(
            "UID:1\r\nSUMMARY:Far\r\nDTSTART;TZID=Mars/Olympus:20250925T100000\r\n"
            "DTEND;TZID=Mars/Olympus:20250925T104000\r\n"
        ),
    )
    (talk,) = programme.entries
    assert talk.start == datetime(2025, 9, 25, 1, 0, tzinfo=UTC)
    assert programme.warnings == (
        "event 1: time zone “Mars/Olympus” is unknown; read in the conference's",
    )


def test_csv_with_korean_headers_in_another_order() -> None:
    text = "발표자,제목,날짜,시작,종료,장소\n김하나;이둘,캐시 설계,2025-09-25,13:40,14:20,301호\n"
    (talk,) = _read("k.csv", text).entries
    assert talk.title == "캐시 설계"
    assert talk.speakers == ("김하나", "이둘")
    assert talk.room == "301호" and talk.track is None
    assert talk.start == datetime(2025, 9, 25, 4, 40, tzinfo=UTC)


def test_schedule_json_names_the_zone_and_the_conference() -> None:
    data = json.loads((SAMPLES / "agenda.schedule.json").read_text())
    data["schedule"]["conference"]["title"] = "Other 2026"
    assert _read("s.json", json.dumps(data)).name == "Other 2026"


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("bin.ics", b"\x00\x01\x02BEGIN:VCALENDAR", "not a text file"),
        (
            "latin.csv",
            HEADER.encode() + "Caf\xe9,2025-09-25,10:00,10:40,A,B,C\n".encode("latin-1"),
            "line 2",
        ),
        ("notes.txt", "just some notes\nnothing else\n", "not a programme"),
        ("cols.csv", "title,date,room\nA talk,2025-09-25,301\n", "no start, end column"),
        ("short.csv", HEADER + "A talk,2025-09-25,10:00\n", "line 2"),
        (
            "order.csv",
            HEADER + "A talk,2025-09-25,10:40,10:00,301,,\n",
            "line 2: “A talk” ends before it starts",
        ),
        (
            "date.csv",
            HEADER + "Fine,2025-09-25,10:00,10:40,,,\nA talk,2025-02-30,10:00,10:40,,,\n",
            "line 3: “2025-02-30” is not a date",
        ),
        (
            "clock.csv",
            HEADER + "A talk,2025-09-25,25:00,26:00,,,\n",
            "line 2: “25:00” is not a time",
        ),
        ("empty.csv", HEADER, "no talks"),
        ("bad.json", '{"schedule": {"conference": {"days": [}}', "line 1: not valid JSON"),
        ("shape.json", '{"schedule": {"conference": {"days": 3}}}', "no days list"),
        (
            "dur.json",
            json.dumps(
                {
                    "schedule": {
                        "conference": {
                            "days": [
                                {
                                    "rooms": {
                                        "A": [
                                            {
                                                "date": "2025-09-25T10:00:00+09:00",
                                                "duration": "forty",
                                                "title": "T",
                                            }
                                        ]
                                    }
                                }
                            ]
                        }
                    }
                }
            ),
            "entry 1",
        ),
        (
            "event.ics",
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:T\r\nDTSTART:20250230T100000Z\r\nDTEND:20250230T110000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "event 1: DTSTART cannot be read",
        ),
        ("untitled.csv", HEADER + ",2025-09-25,10:00,10:40,,,\n", "line 2: the talk has no title"),
        ("long.csv", HEADER + "x" * 201 + ",2025-09-25,10:00,10:40,,,\n", "longer than 200"),
        (
            "day.csv",
            HEADER.replace("end", "end") + "T,2025-09-25,10:00,10:00,,,\n",
            "ends before it starts",
        ),
    ],
)
def test_bad_files_are_refused_with_one_line_naming_the_file_and_place(
    name: str, content: bytes | str, says: str
) -> None:
    message = _refusal(name, content)
    assert name.split(".")[0] in message
    assert says in message


def test_a_huge_file_is_refused_before_it_is_read() -> None:
    huge = (HEADER + "T,2025-09-25,10:00,10:40,,,\n" * 10).encode()
    refused = read_programme("big.csv", huge, SEOUL, max_bytes=100)
    assert isinstance(refused, Unreadable)
    assert "big.csv" in refused.message and "at most" in refused.message


def test_json_nested_too_deeply_is_refused_not_crashed() -> None:
    deep = b'{"schedule": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    assert "nested too deeply" in _refusal("deep.json", deep)


def test_markup_and_control_characters_in_titles_are_kept_as_plain_text() -> None:
    text = (
        HEADER
        + '"<b>@everyone</b> [x](https://evil.example) \u202eabc",2025-09-25,10:00,10:40,,,\n'
    )
    (talk,) = _read("m.csv", text).entries
    assert talk.title == "<b>@everyone</b> [x](https://evil.example) abc"
