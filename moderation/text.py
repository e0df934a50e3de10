"""Cleaning of what readers type: Unicode normalisation and invisible characters."""

import unicodedata

# Explicit bidi embeddings, overrides and isolates. Kept in a comment's body
# (a reader may need them), but never in one-line fields such as a name.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_multiline(text):
    """NFC, newlines unified, control characters but newline and tab dropped, trimmed."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(ch for ch in text if ch in "\n\t" or not _is_control(ch)).strip()


def clean_line(text):
    """NFC, every control and bidi control character dropped, spaces collapsed, trimmed."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text)
    kept = "".join(" " if ch in "\t\n\r" else ch for ch in text
                   if ch in "\t\n\r" or not (_is_control(ch) or ch in BIDI_CONTROLS))
    return " ".join(kept.split())


def _is_control(ch):
    # Cc: C0/C1 controls; Cs: lone surrogates; Cn: unassigned or noncharacter.
    return unicodedata.category(ch) in {"Cc", "Cs", "Cn"}
