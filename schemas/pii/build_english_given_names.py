"""Build ``english_given_names.txt``: English given names, for names written with an English given name beside the
Han surname (``Kevin 黃``, ``黃 Kevin``: curate/pii/mixed_names.py).

Run at development time (not by the workbench), with Faker (MIT licence) installed::

    python schemas/pii/build_english_given_names.py > schemas/pii/english_given_names.txt

The list is the union of the first names of Faker's English-language person providers (``faker.providers.person.en*``:
census and registry name lists of the US, UK, Ireland, Canada, Australia, New Zealand, the Philippines, India ...),
kept when written as one capitalised word of letters (``Kevin``, not ``Mary-Jo`` or ``DeShawn``), sorted.
"""

from __future__ import annotations

import importlib
import pkgutil


def names() -> list[str]:
    import faker.providers.person as person

    out: set[str] = set()
    for mod in pkgutil.iter_modules(person.__path__):
        if not mod.name.startswith("en"):
            continue
        provider = importlib.import_module(f"faker.providers.person.{mod.name}").Provider
        for attr in ("first_names", "first_names_male", "first_names_female"):
            value = getattr(provider, attr, ())
            out |= set(value.keys() if isinstance(value, dict) else value)
    return sorted(n for n in out if n.isascii() and n.isalpha() and n[0].isupper() and n[1:].islower())


if __name__ == "__main__":
    print("# English given names (Faker's English person providers, MIT): schemas/pii/build_english_given_names.py")
    print("\n".join(names()))
