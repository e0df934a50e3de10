"""Cleaning of what readers type: Unicode normalisation and invisible characters."""

import functools
import sys
import unicodedata

# Explicit bidi embeddings, overrides and isolates. Kept in a comment's body
# (a reader may need them), but never in one-line fields such as a name.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters and symbols that draw nothing: the Hangul fillers and the blank braille pattern.
BLANK_LOOKALIKES = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Format characters draw nothing (is_blank); controls, lone surrogates and unassigned code points are dropped.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Cs", "Cn"})


def clean_multiline(text):
    """Newlines unified, control characters but newline and tab dropped, NFC, trimmed.

    NFC comes last: dropping a character can bring a letter and a combining
    mark together, and the stored text must still be NFC.
    """
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _has_hidden(text.replace("\n", " ").replace("\t", " ")):
        return unicodedata.normalize("NFC", text).strip()
    kept = "".join(ch for ch in text if ch in "\n\t" or not _is_control(ch))
    return unicodedata.normalize("NFC", kept).strip()


def clean_line(text):
    """Every control and bidi control character dropped, spaces collapsed, NFC, trimmed."""
    if text is None:
        return None
    if not _has_hidden(text):
        return unicodedata.normalize("NFC", " ".join(text.split()))
    kept = "".join(" " if ch in "\t\n\r" else ch for ch in text
                   if ch in "\t\n\r" or not (_is_control(ch) or ch in BIDI_CONTROLS))
    return unicodedata.normalize("NFC", " ".join(kept.split()))


def is_blank(text):
    """True when ``text`` shows nothing: only spaces, zero-width (format) characters and blank look-alikes.

    Zero-width joiners belong inside Arabic and Persian words, so they are
    kept in text; a name or a comment made of nothing else is empty.
    """
    return all(ch.isspace() or ch in BLANK_LOOKALIKES or unicodedata.category(ch) == "Cf" for ch in text)


def drops_in_line(text):
    """True when ``clean_line`` would drop a character of ``text`` (a control, a bidi control, a lone
    surrogate, an unassigned code point) rather than keep it or turn it into a space."""
    return any(ch not in "\t\n\r" and (_is_control(ch) or ch in BIDI_CONTROLS) for ch in text)


def shows(ch):
    """Whether ``ch`` survives cleaning and draws something: what makes a name or a comment not blank
    (``is_blank``, after the controls are dropped)."""
    return not (ch.isspace() or ch in BLANK_LOOKALIKES or unicodedata.category(ch) in INVISIBLE_CATEGORIES)


def kept_space(ch):
    """Whether ``ch`` is white space that ``clean_line`` keeps (as a space) rather than drops."""
    return (ch.isspace() and not _is_control(ch)) or ch in "\t\n\r"


@functools.cache
def regex_class(test):
    """A regex character class of every code point ``test`` is true of, written so that Python's re,
    ECMAScript (JSON Schema's dialect) and Rust's regex read it alike: rules stated once, in Python,
    and published in the API schema. Worked out once per ``test``, in a fraction of a second."""
    ranges, start = [], None
    for code in range(sys.maxunicode + 2):
        if code <= sys.maxunicode and test(chr(code)):
            if start is None:
                start = code
        elif start is not None:
            ranges.append(_class_char(start) if start == code - 1 else f"{_class_char(start)}-{_class_char(code - 1)}")
            start = None
    return "[" + "".join(ranges) + "]"


def class_escape(chars):
    """``chars`` written for inside a character class, as ``regex_class`` writes them."""
    return "".join(_class_char(ord(ch)) for ch in chars)


def _class_char(code):
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"\\x{code:02x}"
    ch = chr(code)
    return "\\" + ch if ch in "\\[]^-" else ch


def _has_hidden(text):
    # str.isprintable (in C) is true only when there is no Cc, Cs or Cn character
    # (nor format or separator ones): then there is nothing to drop, character by character.
    return not text.isprintable()


def _is_control(ch):
    # Cc: C0/C1 controls; Cs: lone surrogates; Cn: unassigned or noncharacter.
    return unicodedata.category(ch) in {"Cc", "Cs", "Cn"}
