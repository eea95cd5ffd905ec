"""The one cleaning of text that enters the app (forms, the data editor, restores, spreadsheet and source-file
imports, decks): control and bidi-override characters removed, odd line breaks made plain. Validation with
Norwegian messages builds on it in ``nokkeltall.store.validation``."""

from __future__ import annotations

import re

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
