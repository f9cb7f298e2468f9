"""`/memo import` and `memo-bot import`: a note file's posts become sessions and memos.

Each session block of a post becomes one memo by the importing user, dated on
the post's day in the conference's time zone; the author is recorded as
attending. The post's title line and untitled notes are kept with the post.

Authorship: an import speaks only for its importer. Each importer has a post of
their own per conference day, and an import creates, changes or removes only
memos that its importer's earlier imports created; memos written in chat, and
other people's imports, are never touched. Only a workspace admin (and the
operator's CLI, which runs as one) may import for others: the CLI's
``--author``, and the ``### name`` blocks of our Markdown export. In anyone
else's import such blocks become the importer's memos, with a warning, because
nobody can speak for someone else. A block whose text the session already has
(someone's memo, or someone's memos joined as an export writes them) is not
imported again, so importing an export of the channel back duplicates nothing.

Importing is idempotent: every memo is linked to its block (the importer's
post, session, author, ordinal) with the text the file had, so importing the
same file again changes nothing, and an edited file updates what changed: an
edit with its revision history, like `/memo edit`. A block that left the file
has its memo deleted (recoverable, also with the importer's `/memo undo`), and
a later file that has the block again restores it. A memo someone deleted in
chat stays deleted unless the file's text changes. The whole file is one
transaction: a file that fails halfway leaves nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.commands.declaration import (
    CommandDeclaration,
    Core,
    Option,
    OptionKind,
    OutsideTransactions,
    UploadedFile,
    Usage,
)
from bot.commands.text import clean_text
from bot.context import Context
from bot.i18n import N_, _, counted
from bot.invocation import Invocation
from bot.memos import MAX_MEMO_LENGTH
from bot.notefiles.parse import (
    NoteBlock,
    Post,
)
from bot.notefiles.reading import ImportPosts, ReadFile, read
from bot.replies import render
from bot.replies.values import (
    ImportDone,
    ImportedPost,
    ImportedSession,
    Reply,
    Visibility,
)
from bot.titles import MAX_TITLE_LENGTH, display_title, title_key
from storage import (
    attendance as attendance_store,
)
from storage import (
    channels as channel_store,
)
from storage import (
    conferences as conference_store,
)
from storage import (
    imports as import_store,
)
from storage import (
    memos as memo_store,
)
from storage import (
    sessions as session_store,
)
from storage.imports import BlockKey, ImportedLink
from storage.memos import NewMemo
from storage.models import DISPLAY_NAME_LENGTH
from storage.records import ConferenceRecord, MemoRecord

#: Called with (lines done, lines in the file) as posts are stored, for a progress bar.
Progress = Callable[[int, int], None]

#: Imported memos are dated at this local time on the post's day, one minute apart per
#: session, so sessions and memos list in the file's order.
_FIRST_MEMO_AT = time(9, 0)
#: Why an import cannot credit notes to someone else, in its warnings.
_ONLY_ADMINS = N_(
    "only a workspace admin (or the operator's memo-bot import) can import for others"
)
#: ``activated_at`` of a conference an import creates in a channel that follows another:
#: an import of last year's notes must not change the channel's current conference.
_NEVER_ACTIVATED = datetime(1970, 1, 1, tzinfo=UTC)


def plan(file: ReadFile) -> Reply:
    """What importing the file would create, for ``--dry-run``: nothing is stored."""
    done = _done(file, _Counts(), dry_run=True)
    return Reply(render.import_done(done), Visibility.PRIVATE, done)


def store(
    ctx: Context, file: ReadFile, command: ImportPosts, progress: Progress | None = None
) -> Reply:
    """Import every post of the file in the command's transaction."""
    counts = _Counts()
    importer = _importer(ctx, command, counts)
    total = file.parsed.line_count
    done_lines = 0
    was_current = ctx.conference()
    for name, posts in file.grouped():
        conference = counts.conferences[name] = _conference(ctx, name)
        for post in posts:
            _store_post(ctx, post, conference, importer, counts)
            done_lines += _post_lines(post)
            if progress is not None:
                progress(done_lines, total)
        _cover_days(ctx, conference, posts)
    counts.warnings.extend(_credited_warnings(counts))
    now_current = ctx.conference()
    counts.current = now_current.name if now_current is not None else None
    counts.became_current = now_current is not None and (
        was_current is None or was_current.id != now_current.id
    )
    done = _done(file, counts, dry_run=False)
    return Reply(render.import_done(done), Visibility.PRIVATE, done)


def _cover_days(ctx: Context, conference: ConferenceRecord, posts: list[Post]) -> None:
    """The conference's dates take in its posts' days (the channel's record kept fresh)."""
    days = [post.date for post in posts]
    conference_store.cover_days(ctx.tx, conference.id, min(days), max(days))
    current = ctx.conference()
    if current is not None and current.id == conference.id:
        ctx.set_conference(conference_store.get_conference(ctx.tx, conference.id))


@dataclass(frozen=True, slots=True)
class _Importer:
    """Whose import it is, and whether it may credit notes to the people a file names."""

    member_id: int
    name: str
    for_others: bool


def _importer(ctx: Context, command: ImportPosts, counts: _Counts) -> _Importer:
    """The person the file is imported for: the one importing, or the CLI's ``--author``.

    Workspace admins may import for others (the operator's CLI runs as one);
    anyone else's import is theirs, whoever the command names.
    """
    if command.author and ctx.invocation.is_admin:
        author_id = _named_member(ctx, command.author, create_as=command.author)
        return _Importer(author_id, command.author, for_others=True)
    member = ctx.member()
    if command.author and title_key(command.author) != title_key(member.display_name):
        counts.warnings.append(
            _("the memos are yours, not %(name)s's: %(why)s")
            % {"name": _shown_name(command.author), "why": _(_ONLY_ADMINS)}
        )
    return _Importer(member.id, member.display_name, for_others=ctx.invocation.is_admin)


@dataclass
class ImportTotals:
    """Several files' imports added up, for the CLI's closing line."""

    posts: int = 0
    sessions: int = 0
    lines: int = 0
    warnings: int = 0
    failed: int = 0

    def add(self, reply: Reply) -> None:
        if not isinstance(reply.data, ImportDone):
            self.failed += 1
            return
        self.posts += len(reply.data.posts)
        self.sessions += reply.data.session_count
        self.lines += reply.data.lines
        self.warnings += len(reply.data.warnings)

    def summary_line(self, *, dry_run: bool) -> str:
        line = render.import_summary_line(
            self.posts, self.sessions, self.lines, self.warnings, dry_run=dry_run
        )
        if not self.failed:
            return line
        return line + counted(
            self.failed, "; %(count)s file not imported", "; %(count)s files not imported"
        )


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    #: Looked up once per import: authors by name, conferences by name.
    authors: dict[str, int] = field(default_factory=dict)
    conferences: dict[str, ConferenceRecord] = field(default_factory=dict)
    #: Names of ``### name`` blocks imported as the importer's -> the lines of those blocks.
    credited_to_importer: dict[str, list[int]] = field(default_factory=dict)
    #: The channel's current conference after the import, and whether the import made it so.
    current: str | None = None
    became_current: bool = False


def _done(file: ReadFile, counts: _Counts, *, dry_run: bool) -> ImportDone:
    warnings = [_on_line(warning.line_number, warning.message) for warning in file.parsed.warnings]
    return ImportDone(
        file_name=file.name,
        dry_run=dry_run,
        posts=tuple(
            ImportedPost(
                day=post.date,
                # The channel's conference, for posts the file names none for.
                conference=counts.conferences[name].name if name in counts.conferences else name,
                title=post.title,
                sessions=tuple(
                    ImportedSession(session.title, session.note_line_count)
                    for session in post.sessions
                ),
            )
            for post, name in zip(file.parsed.posts, file.conferences, strict=True)
        ),
        current_conference=counts.current,
        became_current=counts.became_current,
        lines=file.parsed.line_count,
        warnings=(*warnings, *counts.warnings),
        created=counts.created,
        updated=counts.updated,
        removed=counts.removed,
        unchanged=counts.unchanged,
    )


def _post_lines(post: Post) -> int:
    return sum(s.note_line_count for s in post.sessions) + sum(1 for n in post.notes if n.strip())


def _conference(ctx: Context, name: str) -> ConferenceRecord:
    """The post's conference in this channel, created if new.

    A new conference becomes the channel's current one only when the channel
    follows no named conference yet, so importing old notes never moves a
    channel away from the conference it is at.
    """
    if not name:
        return ctx.working_conference()
    channel = ctx.writable_channel()
    key = title_key(name)
    existing = conference_store.find_conference(ctx.tx, channel.id, key)
    if existing is not None:
        return existing
    current = ctx.conference()
    follows_one = current is not None and current.name_key != conference_store.UNNAMED
    conference = conference_store.ensure_conference(
        ctx.tx,
        channel.id,
        name,
        key,
        current.time_zone if current is not None else ctx.default_time_zone,
        ctx.now,
        activated_at=_NEVER_ACTIVATED if follows_one else ctx.now,
    )
    if not follows_one:
        ctx.set_conference(conference)
    return conference


def _store_post(
    ctx: Context, post: Post, conference: ConferenceRecord, importer: _Importer, counts: _Counts
) -> None:
    channel = ctx.writable_channel()
    post_id = import_store.ensure_post(
        ctx.tx,
        channel_id=channel.id,
        conference_id=conference.id,
        day=post.date,
        title=post.title,
        notes="\n".join(post.notes),
        importer_id=importer.member_id,
        now=ctx.now,
    )
    earlier = import_store.links(ctx.tx, post_id)
    seen: set[BlockKey] = set()
    new_memos: list[NewMemo] = []
    new_keys: list[tuple[BlockKey, str]] = []
    zone = ZoneInfo(conference.time_zone)
    titles = [
        (title, title_key(title), _local_time(post.date, position, zone))
        for position, title in enumerate(_titles(post, counts))
    ]
    session_ids = session_store.ensure_sessions_on(
        ctx.tx, channel_id=channel.id, conference_id=conference.id, day=post.date, titles=titles
    )
    already_here = _already_here(
        import_store.texts_from_elsewhere(ctx.tx, post_id, list(session_ids.values())), earlier
    )
    attended: set[tuple[int, int]] = set()
    # Per (session, author) over the whole post: a header may come twice ([Talk] ... [Talk]).
    ordinals: dict[tuple[int, int], int] = {}
    for parsed_session, (_title, key_of_title, at) in zip(post.sessions, titles, strict=True):
        session_id = session_ids[key_of_title]
        for block_position, block in enumerate(parsed_session.blocks):
            text = clean_text(block.text)
            if text in already_here.get(session_id, ()):
                counts.unchanged += 1
                continue
            author = _credit(ctx, block, importer, counts)
            ordinal = ordinals[session_id, author] = ordinals.get((session_id, author), -1) + 1
            key = (session_id, author, ordinal)
            seen.add(key)
            attended.add((session_id, author))
            if len(text) > MAX_MEMO_LENGTH:
                too_long = _(
                    "a memo of %(length)s characters, longer than the %(most)s a chat command "
                    "takes; imported whole"
                ) % {"length": f"{len(text):,}", "most": f"{MAX_MEMO_LENGTH:,}"}
                counts.warnings.append(_on_line(block.line_number, too_long))
            link = earlier.get(key)
            if link is None:
                created_at = at + timedelta(seconds=block_position)
                new_memos.append(NewMemo(0, session_id, author, text, created_at))
                new_keys.append((key, text))
            else:
                _update(ctx, link, text, importer.member_id, counts)
    attendance_store.record_attendances(
        ctx.tx, sorted(attended), "memo", titles[0][2] if titles else ctx.now
    )
    for key, link in earlier.items():
        if key not in seen and not link.removed and not link.deleted:
            memo = _memo(ctx, link)
            memo_store.delete_memo(ctx.tx, memo, importer.member_id, ctx.now)
            import_store.set_link(ctx.tx, link.memo_id, link.source_text, removed=True)
            counts.removed += 1
    _add_new(ctx, post_id, new_memos, new_keys)
    counts.created += len(new_memos)


def _already_here(
    elsewhere: dict[int, set[str]], earlier: dict[BlockKey, ImportedLink]
) -> dict[int, set[str]]:
    """Per session, the block texts it has without this importer's imports: such a block is
    not imported again (an export of the channel imported back into it duplicates nothing).
    A text the importer's own earlier import stored stays theirs, matched by its link."""
    for (session_id, _author, _ordinal), link in earlier.items():
        elsewhere.get(session_id, set()).discard(link.source_text)
    return elsewhere


def _credit(ctx: Context, block: NoteBlock, importer: _Importer, counts: _Counts) -> int:
    """Whose memo a block becomes: the person it names only when the import may say so;
    else the importer's, remembered for a warning when it names someone else."""
    if block.author is None:
        return importer.member_id
    if importer.for_others:
        return _author(ctx, block.author, counts)
    if title_key(block.author) != title_key(importer.name):
        counts.credited_to_importer.setdefault(_shown_name(block.author), []).append(
            block.line_number
        )
    return importer.member_id


def _credited_warnings(counts: _Counts) -> list[str]:
    """One warning per name whose notes became the importer's, at its first block."""
    warnings = []
    for name, lines in counts.credited_to_importer.items():
        shown = {"name": name, "why": _(_ONLY_ADMINS)}
        if len(lines) > 1:
            credited = counted(
                len(lines),
                "the notes under ### %(name)s (%(count)s block) are imported as yours: %(why)s",
                "the notes under ### %(name)s (%(count)s blocks) are imported as yours: %(why)s",
                **shown,
            )
        else:
            credited = _("the notes under ### %(name)s are imported as yours: %(why)s") % shown
        warnings.append(_on_line(lines[0], credited))
    return warnings


def _on_line(number: int, warning: str) -> str:
    """A warning about one line of the file, as the import's answer lists it."""
    return _("line %(line)s: %(warning)s") % {"line": number, "warning": warning}


def _shown_name(name: str) -> str:
    """A name from the file as a warning shows it: one line, at most a display name long."""
    return display_title(clean_text(name))[:DISPLAY_NAME_LENGTH]


def _titles(post: Post, counts: _Counts) -> list[str]:
    """The post's session titles as shown, cut to the longest title a session may have."""
    titles = []
    for session in post.sessions:
        title = display_title(session.title)
        if len(title) > MAX_TITLE_LENGTH:
            cut = _("title cut to %(most)s characters") % {"most": MAX_TITLE_LENGTH}
            counts.warnings.append(_on_line(session.line_number, cut))
            title = title[:MAX_TITLE_LENGTH]
        titles.append(title)
    return titles


def _author(ctx: Context, name: str, counts: _Counts) -> int:
    """The member a Markdown export named, looked up once per import."""
    if name not in counts.authors:
        counts.authors[name] = _named_member(ctx, name, create_as=None)
    return counts.authors[name]


def _add_new(
    ctx: Context, post_id: int, new_memos: list[NewMemo], new_keys: list[tuple[BlockKey, str]]
) -> None:
    """Insert the post's new memos in one statement, numbered in file order, and link them."""
    if not new_memos:
        return
    channel_id = ctx.writable_channel().id
    numbers = channel_store.take_memo_numbers(ctx.tx, channel_id, len(new_memos))
    numbered = [
        NewMemo(number, memo.session_id, memo.author_id, memo.text, memo.created_at)
        for number, memo in zip(numbers, new_memos, strict=True)
    ]
    ids = memo_store.add_memos(ctx.tx, channel_id, numbered)
    import_store.add_links(
        ctx.tx,
        post_id,
        [(key, memo_id, text) for (key, text), memo_id in zip(new_keys, ids, strict=True)],
    )


def _update(ctx: Context, link: ImportedLink, text: str, importer_id: int, counts: _Counts) -> None:
    """Bring an earlier import's memo in line with the file, when the file changed."""
    changed = text != link.source_text
    if not changed and not link.removed:
        # Also when it was deleted in chat since: that deletion stands while the file is the same.
        counts.unchanged += 1
        return
    memo = _memo(ctx, link)
    if memo.deleted_at is not None:
        memo = memo_store.restore_memo(ctx.tx, memo)
    if memo.text != text:
        memo_store.edit_memo(ctx.tx, memo, text, importer_id, ctx.now)
    import_store.set_link(ctx.tx, link.memo_id, text, removed=False)
    counts.updated += 1


def _memo(ctx: Context, link: ImportedLink) -> MemoRecord:
    memo = memo_store.find_memo(ctx.tx, ctx.writable_channel().id, link.number)
    assert memo is not None and memo.id == link.memo_id
    return memo


def _named_member(ctx: Context, name: str, *, create_as: str | None) -> int:
    """The workspace member with this display name, created if there is none.

    ``create_as`` is the id a new member gets (the CLI's ``--author`` names a
    console user); authors named in a Markdown export get ``imported:<name>``.
    """
    workspace_id = ctx.writable_channel().workspace_id
    found = channel_store.members_named(ctx.tx, workspace_id, name)
    if found:
        return found[0]
    display = display_title(clean_text(name))[:DISPLAY_NAME_LENGTH] or "imported"
    external_id = (create_as or f"imported:{display}")[:64]
    return channel_store.ensure_member(ctx.tx, workspace_id, external_id, display, ctx.now).id


def _local_time(day: date, position: int, zone: ZoneInfo) -> datetime:
    """When a session's memos are dated: the post's day, in file order, in the zone."""
    start = datetime.combine(day, _FIRST_MEMO_AT, tzinfo=zone)
    return (start + timedelta(minutes=position)).astimezone(UTC)


def run_import(
    core: Core, invocation: Invocation, command: ImportPosts, progress: Progress | None = None
) -> Reply:
    """Import a note file in one transaction of its own (not a batch: it may be large).

    The file is read and parsed before the transaction starts; a dry run stops
    there. A retry after a concurrent write runs the whole file again, which the
    import's idempotence makes safe.
    """
    file = read(command, core.import_max_bytes)
    if isinstance(file, Reply):
        return file
    if command.dry_run:
        return plan(file)
    return core.write_alone(invocation, command, lambda ctx: store(ctx, file, command, progress))


def import_from_options(file: UploadedFile | None = None) -> ImportPosts:
    """Typed text carries no file: the adapter attaches one (Discord option, Slack form)."""
    return ImportPosts() if file is None else ImportPosts(file.name, file.content)


IMPORT = CommandDeclaration(
    "import",
    ImportPosts,
    N_("Import notes you already have, from a file"),
    OutsideTransactions(run_import),
    import_from_options,
    options=(
        Option(
            "file",
            OptionKind.FILE,
            N_("Blog-style posts (a date line, a title line, [Session] headers) or an export"),
            True,
        ),
    ),
    parse=lambda rest: ImportPosts(),
    usage=Usage(
        "/memo import (with a note file)",
        N_("Import notes you already have: blog-style posts, one per conference day."),
    ),
    writes=True,
    slow=lambda command, core: command.content is not None,  # a large file takes seconds
)
