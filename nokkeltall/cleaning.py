"""The character-level cleaning every text that enters goes through (forms, the data editor, a JSON
restore, spreadsheet imports, decks, documents): ``clean_text``. Field rules (lengths, dates, choices)
are in ``nokkeltall.store.validation``, which uses this; imported datasets (``datasets.Dataset``) use
it directly, being below the store.
"""

from __future__ import annotations

import re

# line breaks of every kind (vertical tab is Word's Shift+Enter) become one «\n»
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# C0/C1 controls but tab and newline, bidi embeddings/overrides/isolates and marks, BOM, non-characters
# and lone surrogates: none of them is meaningful in what users type, and Word's XML cannot hold some
_UNSAFE_CHARS = "\x00-\x08\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff"
_UNSAFE = re.compile(f"[{_UNSAFE_CHARS}\ud800-\udfff]")
# for a vectorised search in Arrow strings (which cannot hold lone surrogates anyway)
NEEDS_CLEANING = f"{_LINE_BREAKS.pattern}|[{_UNSAFE_CHARS}]"


def clean_text(value: object, multiline: bool = True) -> str:
    """``value`` as text without control, bidi-override and other unsafe characters; vertical tab,
    form feed and CR become line breaks (in a one-line text, line breaks and tabs become spaces)."""
    text = _UNSAFE.sub("", _LINE_BREAKS.sub("\n", str(value)))
    if not multiline:
        text = re.sub(r"[ \t]*[\n\t][ \t\n]*", " ", text)
    return text
