"""Text arguments of the command line: UTF-8 only, whatever command or option takes them.

A terminal in another encoding (Big5, CP950: a Taiwanese bank's Windows console or an old PuTTY profile) hands Python
bytes that are not UTF-8, which it keeps as lone surrogates (``\\udcbb``). DuckDB cannot take such a string ("Unable to
cast Python instance"), nor can a ledger line be hashed of it (``UnicodeEncodeError``): review 14 refused it for the
auditor's query and ids (``curate sql``, ``audit record``...), while ``provenance withdraw --record/--reason``,
``reinstate``, ``runs abandon --reason``, ``annotate push --where`` and the rest still ended in a traceback.
:func:`utf8_text_params` makes every text parameter of a command (any click ``STRING``) :data:`UTF8_TEXT` when the
command is loaded (:class:`curate.cli.LazyGroup`); paths (``click.Path``) keep their bytes, they are no text.
"""

from __future__ import annotations

from typing import Any

import click


class Utf8Text(click.ParamType):
    r"""A text argument (a query, a reason, a record, export or run id, a --where): UTF-8 text only.

    A terminal in another encoding (Big5, CP950) hands Python bytes that are not UTF-8, which it keeps as lone
    surrogates (``\udcff``); DuckDB cannot take such a string, and ``curate sql`` or ``audit record`` ended in a
    traceback. Refused here, in one line, with what to do (a path argument keeps its bytes: it is no text).

    >>> Utf8Text().convert("SELECT '銀行'", None, None)
    "SELECT '銀行'"
    >>> Utf8Text().convert("SELECT '\udcbb\udcc8'", None, None)
    Traceback (most recent call last):
    click.exceptions.BadParameter: is not UTF-8 text (character 9 is a byte UTF-8 does not allow: 0xbb): the terminal sends another encoding (Big5?); switch it to UTF-8 (e.g. LANG=zh_TW.UTF-8) and type it again
    """

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        bad = next((i for i, ch in enumerate(text) if "\ud800" <= ch <= "\udfff"), None)
        if bad is None:
            return text
        code = ord(text[bad])
        byte = f": 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else ""
        self.fail(
            f"is not UTF-8 text (character {bad + 1} is a byte UTF-8 does not allow{byte}): the terminal sends another"
            " encoding (Big5?); switch it to UTF-8 (e.g. LANG=zh_TW.UTF-8) and type it again",
            param,
            ctx,
        )


#: the type of every text argument of the command line (:class:`Utf8Text`)
UTF8_TEXT = Utf8Text()


def utf8_text_params(command: click.Command) -> click.Command:
    """``command`` (and a group's sub-commands, all levels) with every text parameter of type :data:`UTF8_TEXT`:
    a click ``STRING`` argument or option (``--reason``, ``--where``, ``--record``, an id); a path, a choice, a
    number or a flag is left as it is. Returns ``command``.

    >>> cmd = click.Command("c", params=[click.Option(["--reason"]), click.Option(["--out"], type=click.Path())])
    >>> [type(p.type).__name__ for p in utf8_text_params(cmd).params]
    ['Utf8Text', 'Path']
    """
    stack = [command]
    while stack:
        cmd = stack.pop()
        for p in cmd.params:
            if type(p.type) is click.types.StringParamType:
                p.type = UTF8_TEXT
        if isinstance(cmd, click.Group):
            stack.extend(cmd.commands.values())
    return command
