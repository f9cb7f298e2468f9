"""`/memo agenda`: show the conference's programme, or import it from a file."""

from __future__ import annotations

from bot.agenda.importing import ImportAgenda, run_import
from bot.agenda.showing import ShowAgenda, agenda_from_option, show_agenda
from bot.commands.declaration import (
    Command,
    CommandDeclaration,
    CommandGroup,
    InTransaction,
    Option,
    OptionKind,
    OutsideTransactions,
    UploadedFile,
    Usage,
)
from bot.commands.text import Rejected
from bot.i18n import N_


def _parse(rest: str) -> Command | Rejected:
    words = rest.split()
    if words and words[0].lower() == "import":
        return ImportAgenda()  # the file comes as an attachment, or from the command line
    return agenda_from_option(rest)


def import_from_options(file: UploadedFile | None = None) -> ImportAgenda:
    """Typed text carries no file: the adapter attaches one (Discord option)."""
    return ImportAgenda() if file is None else ImportAgenda(file.name, file.content)


AGENDA = CommandGroup(
    "agenda",
    N_("The conference's programme: a day, the talks running now or next, or an import"),
    Usage(
        "/memo agenda [today|YYYY-MM-DD|now|next] | /memo agenda import (with a programme file)",
        N_(
            "The day's programme by time and room, with who attended and how many memos; "
            "import one from an .ics, schedule JSON or CSV file."
        ),
    ),
    _parse,
    members=(
        CommandDeclaration(
            "show",
            ShowAgenda,
            N_("A day's programme, or the talks running now or next"),
            InTransaction(show_agenda),
            agenda_from_option,
            options=(
                Option(
                    "when",
                    OptionKind.TEXT,
                    N_("today (the default), a date like 2025-09-25, now or next"),
                    max_length=20,
                ),
            ),
        ),
        CommandDeclaration(
            "import",
            ImportAgenda,
            N_("Import the conference's programme from a file"),
            OutsideTransactions(run_import),
            import_from_options,
            options=(
                Option(
                    "file",
                    OptionKind.FILE,
                    N_("An iCalendar (.ics), pretalx/frab schedule JSON or CSV programme"),
                    True,
                ),
            ),
            writes=True,
            slow=lambda command, core: command.content is not None,
        ),
    ),
)
