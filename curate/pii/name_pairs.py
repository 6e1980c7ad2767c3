"""A second name after a labelled one and a slash (review 14): ``聯絡人：王小明 / 李大同``, a bilingual cell
``受款人：吳家豪 / WU CHIA-HAO``, ``保證人：張淑芬／許建國（配偶）``.

The labelled-value rule (:mod:`curate.pii.labels`) reads one value after a label; a form's cell often holds two
people, or one person in both scripts, split by a slash. The value after the slash is a name when it would be one
right after the label and reads as a name: a Latin-script name (:func:`curate.pii.labels._latin_end`) or a surname
and a given name of two characters (one after a two-character name) that holds no character a given name does not
(``names.toml non_given``) and is no word of the not-names list (``王小明 / 高風險``, ``/ 男``, ``/ 正卡``,
``/ 黃金存摺`` stay).
"""

from __future__ import annotations

import re

#: a slash between two values of one cell (ASCII or full-width), spaces around it allowed
_SLASH = re.compile(r"[ \u3000]*[/／][ \u3000]*")


#: the least given-name score of a second name (``大同`` in 李大同 scores -1.39: a word too, but not a cell's attribute)
MIN_GIVEN_SCORE = -1.5


def _second_end(text: str, start: int, first: int) -> int | None:
    """End of a name after the slash at ``start`` (None: none there); ``first``: the length of the name before it."""
    from curate.pii.labels import _value_end
    from curate.pii.names import _tables, given_name_score

    if text[start].isascii():  # a cell's name in Latin script: WU CHIA-HAO, not / Gold, / Premier Banking
        from curate.pii.mixed_names import bare_name_end

        return bare_name_end(text, start)
    end = _value_end(text, start)
    if end is None:
        return None
    singles, compounds, not_names, non_given, _ = _tables()
    run = text[start:end]
    sur = next((len(c) for c in compounds if run.startswith(c)), 1 if run[0] in singles else 0)
    given = run[sur:]
    if not sur or not (len(given) == 2 or (len(given) == 1 and first == 2)) or run.startswith(not_names):
        return None  # 王小明 / 男, / 正卡, / 黃金存摺, / 高風險
    if any(c in non_given for c in given) or given_name_score(given) < MIN_GIVEN_SCORE:
        return None
    return end


def second_names(text: str, found: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """The names after a slash that follow each labelled name in ``found`` (``(start, end, type, recognizer)``).

    >>> t = "聯絡人：王小明 / 李大同 / Mary Wang；持卡人：林志明/正卡"
    >>> [t[s:e] for s, e, _, _ in second_names(t, [(4, 7, "PERSON", "x"), (29, 32, "PERSON", "x")])]
    ['李大同', 'Mary Wang']
    """
    out = []
    for s, e, t, r in found:
        if t != "PERSON":
            continue
        while (m := _SLASH.match(text, e)) and m.end() < len(text):
            end = _second_end(text, m.end(), e - s)
            if end is None:
                break
            out.append((m.end(), end, t, r))
            s, e = m.end(), end
    return out
