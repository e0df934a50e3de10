"""Arabic-aware text normalisation and word matching, for word lists and the learned filter.

``normalize`` folds away everything a spammer can add to a word without
changing how it reads: case, compatibility forms (fullwidth letters,
presentation forms, ligatures), diacritics (Arabic tashkeel and Latin
accents alike), tatweel, invisible and bidi control characters, letter
variants and non-ASCII digits. Its decisions:

- every combining mark (Unicode category Mn) is dropped after compatibility
  decomposition, so the hamza and madda carried by أ إ آ ؤ ئ go with the
  harakat and those letters become ا ا ا و ي; Latin accents go as well
  (café and cafe are one word);
- ٱ (and the rarer wavy-hamza alefs) → ا, ى → ي, ة → ه: readers write a
  final ة and ه, ى and ي interchangeably (مدرسة, مدرسه; على, علي), so a
  list entry catches both spellings; the price is the odd pair of words
  that become one (على "on" and the name علي), the safe side for a word
  list; Persian-keyboard ی and ک → ي and ك;
- every decimal digit (٠-٩, ۰-۹ and the like) → 0-9, and the Arabic decimal
  and thousands separators ٫ ٬ → . ,;
- every format character (Unicode category Cf: bidi controls, zero-width
  space and joiners, word joiner, BOM, soft hyphen, tags) is removed, never
  turned into a space, so it cannot split a word in two.

The output is in NFKC, and normalising twice changes nothing.
"""

# ruff: noqa: RUF002, RUF003 - the Arabic letters this module is about look like Latin ones to the confusables check

import functools
import re
import unicodedata

TATWEEL = "\u0640"
LETTER_VARIANTS = {
    "\u0671": "\u0627",  # ٱ alef wasla → ا
    "\u0672": "\u0627",  # alef with wavy hamza above → ا
    "\u0673": "\u0627",  # alef with wavy hamza below → ا
    "\u0649": "\u064a",  # ى alef maksura → ي
    "\u0629": "\u0647",  # ة teh marbuta → ه
    "\u06cc": "\u064a",  # ی Farsi yeh → ي
    "\u06a9": "\u0643",  # ک keheh → ك
    "\u066b": ".",  # ٫ Arabic decimal separator
    "\u066c": ",",  # ٬ Arabic thousands separator
}
# The high hamza is what is left of ٵ after decomposition: a sign, not a letter.
DROPPED_LETTERS = (TATWEEL, "\u0674")

# Combining marks, format characters and decimal digits all lie below
# 0x20000 or in plane 14 (tags, variation selectors); the ideograph and
# private-use planes hold none, and scanning them would only slow the import.
_SCANNED = (range(0x20000), range(0xE0000, 0xE1000))


def _build_table():
    table = {}
    for block in _SCANNED:
        for code in block:
            category = unicodedata.category(chr(code))
            if category in {"Mn", "Cf"}:
                table[code] = None
            elif category == "Nd" and code > 0x7F:
                table[code] = str(unicodedata.decimal(chr(code)))
    table.update({ord(variant): plain for variant, plain in LETTER_VARIANTS.items()})
    table.update(dict.fromkeys(map(ord, DROPPED_LETTERS)))
    return table


def _character_class(codes):
    """A regular-expression class of the code points, as ranges."""
    ranges = []
    for code in sorted(codes):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges) + "]"


# code point → replacement, or None to drop it
FOLD = _build_table()
# A dict lookup per character (str.translate) costs more than the rest of
# normalising together, so the common work is done in bulk: one pattern drops
# the marks and format characters of the Basic Multilingual Plane (a class
# held inside it is matched by bitmap), str.replace maps the Arabic letter
# variants and digits, and the full table is used only when a rarer character
# is present (another script's digits; beyond the BMP, where emoji live, a
# variation selector or tag, a musical or other symbol's mark).
_DROP = re.compile(_character_class(code for code, plain in FOLD.items() if plain is None and code <= 0xFFFF) + "+")
_ARABIC = tuple((chr(code), plain) for code, plain in FOLD.items() if plain is not None and 0x0600 <= code <= 0x06FF)
_RARE = re.compile(_character_class(code for code, plain in FOLD.items()
                                    if plain is not None and not 0x0600 <= code <= 0x06FF and code <= 0xFFFF))
_BEYOND_BMP = re.compile("[\U00010000-\U0010FFFF]")

_WORD = re.compile(r"[^\W_]+")

# Attached prefixes: a conjunction (و, ف), then a preposition (ب, ك, ل), then
# the article ال; ل before ال is written لل. Each is (prefix, had the article).
_CONJUNCTIONS = ("", "\u0648", "\u0641")
_PREPOSITIONS = ("", "\u0628", "\u0643", "\u0644")
ARTICLE = "\u0627\u0644"


def _prefixes_by_first_letter():
    found = {}
    for conjunction in _CONJUNCTIONS:
        for preposition in _PREPOSITIONS:
            for article in ("", ARTICLE):
                if preposition == "\u0644" and article:
                    prefix = conjunction + "\u0644\u0644"
                else:
                    prefix = conjunction + preposition + article
                if prefix:
                    found.setdefault(prefix[0], []).append((prefix, bool(article)))
    return found


# Most words start with none of these letters and are looked at no further.
PREFIXES = _prefixes_by_first_letter()
MIN_STEM = 2


# The rules, the filter and the wave signature of one submission each read
# the same body: the last few results are kept.
@functools.lru_cache(maxsize=32)
def normalize(text):
    """``text`` folded for matching: see the module's docstring for what is folded and why."""
    if text.isascii():
        return text.lower()
    folded = _DROP.sub("", unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold()))
    for variant, plain in _ARABIC:
        if variant in folded:
            folded = folded.replace(variant, plain)
    if _RARE.search(folded) or any(ord(ch) in FOLD for ch in _BEYOND_BMP.findall(folded)):
        folded = folded.translate(FOLD)
    # With the marks gone, composing changes nothing but the odd Hangul
    # syllable; the check is much cheaper than the composition.
    if unicodedata.is_normalized("NFC", folded):
        return folded
    return unicodedata.normalize("NFC", folded)


def words(text):
    """The normalised whole words of ``text``: runs of letters and digits."""
    return list(_words(text))


@functools.lru_cache(maxsize=32)
def _words(text):
    return tuple(_WORD.findall(normalize(text)))


@functools.lru_cache(maxsize=8192)
def stems(word):
    """``word`` (normalised) and its forms without attached Arabic prefixes.

    At least ``MIN_STEM`` letters always remain. Where the prefix held the
    article, the form with the article (ال) is included too, so a list entry
    written with it matches بالكلمة and للكلمة.
    """
    found = {word}
    for prefix, article in PREFIXES.get(word[:1], ()):
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM:
            rest = word[len(prefix):]
            found.add(rest)
            if article:
                found.add(ARTICLE + rest)
    return frozenset(found)


class TermIndex:
    """A word list prepared for matching: single words in a set, phrases by their first word."""

    def __init__(self, terms):
        self.terms = tuple(terms)
        self.single = {}
        self.phrases = {}
        for position, term in enumerate(self.terms):
            parts = tuple(words(term))
            if len(parts) == 1:
                self.single.setdefault(parts[0], []).append(position)
            elif parts:
                self.phrases.setdefault(parts[0], []).append((position, parts[1:]))

    def find(self, text):
        """Positions, in the list, of the terms that occur in ``text``."""
        text_stems, every = _forms(text)
        found = set()
        for form in every & self.single.keys():
            found.update(self.single[form])
        for form in every & self.phrases.keys():
            starts = [start for start, forms in enumerate(text_stems) if form in forms]
            for position, rest in self.phrases[form]:
                if any(_phrase_at(text_stems, start + 1, rest) for start in starts):
                    found.add(position)
        return sorted(found)


def _phrase_at(text_stems, start, rest):
    following = text_stems[start:start + len(rest)]
    return len(following) == len(rest) and all(part in forms for part, forms in zip(rest, following, strict=True))


# Several lists (blocked, held) are matched against the same field.
@functools.lru_cache(maxsize=32)
def _forms(text):
    """Each word's stems, in order, and all of them together."""
    text_stems = tuple(stems(word) for word in _words(text))
    return text_stems, frozenset().union(*text_stems)


@functools.lru_cache(maxsize=8)
def term_index(terms):
    """The prepared index of a tuple of terms, built once per distinct list."""
    return TermIndex(terms)


def contains_term(text, terms):
    """The entries of ``terms`` that occur in ``text`` as whole words, in list order.

    Both sides are normalised and the text's words are also tried without
    their attached prefixes; a multi-word entry matches the same words in a
    row. Entries need not be normalised beforehand (normalising is
    idempotent). The prepared list is cached, so pass the same list again.
    """
    index = term_index(terms if isinstance(terms, tuple) else tuple(terms))
    return [index.terms[position] for position in index.find(text or "")]
