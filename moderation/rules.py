"""The moderators' rules over one comment: word lists, links, personal data, blocks.

Pure: ``check`` reads the comment's fields and a ``Rules`` value and returns
what fired as ``Signal`` values; what to do with them (spam list, closer
look, a neutral message to a blocked reader) is the caller's decision.
"""

import functools
import ipaddress
import re
from dataclasses import dataclass

from . import textnorm

SPAM = "spam"
HOLD = "hold"

# Signal.rule: a stable key the console can translate.
BLOCKED_WORD = "blocked_word"
HELD_WORD = "held_word"
TOO_MANY_LINKS = "too_many_links"
PHONE_NUMBER = "phone_number"
EMAIL_ADDRESS = "email_address"
COORDINATES = "coordinates"
BLOCKED_EMAIL = "blocked_email"
BLOCKED_IP = "blocked_ip"

# Where word lists are looked for, in this order.
WORD_FIELDS = ("body", "author", "email", "url")


@dataclass(frozen=True)
class Signal:
    """One rule that fired: its key, ``spam`` or ``hold``, and what it found (for moderators only)."""

    rule: str
    verdict: str
    detail: str


@dataclass
class Rules:
    """One site's rules, as the moderators set them.

    ``max_links``: a comment with more links than this is held; None turns
    the check off. ``blocked_ips``: addresses or CIDR ranges (``192.0.2.0/24``,
    ``2001:db8::/32``); entries that do not parse are passed over, so the
    admin page should check them with ``parse_network`` when they are saved.
    """

    blocked_words: tuple = ()
    held_words: tuple = ()
    max_links: int | None = 2
    blocked_emails: tuple = ()
    blocked_ips: tuple = ()


def check(comment_fields, rules):
    """The signals the rules raise for a comment (keys body, author, email, url, ip)."""
    fields = {name: comment_fields.get(name) or "" for name in (*WORD_FIELDS, "ip")}
    signals = []
    if fields["email"] and fields["email"].strip().lower() in _lowered(tuple(rules.blocked_emails)):
        signals.append(Signal(BLOCKED_EMAIL, SPAM, "email address on the block list"))
    blocked_range = _blocked_range(fields["ip"], _networks(tuple(rules.blocked_ips)))
    if blocked_range:
        signals.append(Signal(BLOCKED_IP, SPAM, f"address in {blocked_range}"))
    signals += _word_signals(fields, rules.blocked_words, BLOCKED_WORD, SPAM)
    signals += _word_signals(fields, rules.held_words, HELD_WORD, HOLD)
    body = textnorm.normalize(fields["body"])
    links = count_links(body)
    if rules.max_links is not None and links > rules.max_links:
        signals.append(Signal(TOO_MANY_LINKS, HOLD, f"{links} links, more than {rules.max_links}"))
    for rule, found in personal_data(body).items():
        what = PERSONAL_DATA_NAMES[rule]
        signals.append(Signal(rule, HOLD, what if found == 1 else f"{found} x {what}"))
    return signals


def verdict(signals):
    """The strongest verdict among ``signals``: spam, hold, or None when none fired."""
    verdicts = {signal.verdict for signal in signals}
    if SPAM in verdicts:
        return SPAM
    return HOLD if HOLD in verdicts else None


def _word_signals(fields, terms, rule, outcome):
    if not terms:
        return []
    signals = []
    for name in WORD_FIELDS:
        found = textnorm.contains_term(fields[name], terms)
        if found:
            signals.append(Signal(rule, outcome, f"{name}: {', '.join(found)}"))
    return signals


# Links as readers type them (the comment is plain text): what WordPress's
# make_clickable would turn into a link. The author's website is not counted.
LINK = re.compile(r"https?://\S+|(?<![\w./])www\.\S+")


def count_links(text):
    """How many web addresses (http://, https://, www.) ``text`` holds (``text`` normalised)."""
    if "http" not in text and "www." not in text:
        return 0
    return sum(1 for _ in LINK.finditer(text))


# Personal data, looked for in the normalised body (ASCII digits, no
# invisible characters, lower case). Phone numbers: international with + or
# 00 (8-15 digits), national with a leading 0 (9-12 digits, as in 050 123 4567
# or 010 1234 5678), or a bare run of 10-15 digits (wa.me/966501234567).
# Separators are a single space, dash or dot (not a dot after the leading 0:
# that is a decimal); parentheses may wrap a group.
_DIGIT = r"[ \-.]?\(?\d\)?"
PHONE = re.compile(
    rf"(?<![\d+])(?:(?:\+|00)\d(?:{_DIGIT}){{7,14}}|0[ \-]?\(?\d\)?(?:{_DIGIT}){{7,10}}|\d{{10,15}})(?!\d)"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
# Decimal latitude, longitude with at least 3 decimals (about 100 m), or two
# degree-minute(-second) values. In the normalised text a degree is ° or o
# (what the ordinal º folds to), a minute ' or \u2032 (prime) or \u2019, a
# second " or \u201d or two minute marks (the double prime folds to two primes).
_LAT = r"[-+]?\d{1,2}\.\d{3,}"
_LON = r"[-+]?\d{1,3}\.\d{3,}"
_MINUTE = "['\u2032\u2019]"
_SECOND = f"(?:[\"\u201d]|{_MINUTE}{{2}})"
_DMS = rf"\d{{1,3}}\s*[°o]\s*\d{{1,2}}\s*{_MINUTE}\s*(?:\d{{1,2}}(?:\.\d+)?\s*{_SECOND}\s*)?[nsew]?"
COORDINATES_PATTERN = re.compile(
    rf"(?<![\d.])(?P<lat>{_LAT})\s*°?\s*[ns]?(?:\s*[,،;/]\s*|\s+)(?P<lon>{_LON})\s*°?\s*[ew]?(?![\d.])"
    rf"|(?<!\d){_DMS}\s*[,،;/]?\s*{_DMS}"
)
PERSONAL_DATA_NAMES = {PHONE_NUMBER: "phone number", EMAIL_ADDRESS: "email address", COORDINATES: "map coordinates"}
_DIGITS = "0123456789"
MIN_PHONE_DIGITS = 8
COORDINATES_HINT = re.compile(r"\d\.\d{3}|\d\s*[°o]\s*\d")


def personal_data(text):
    """Phone numbers, email addresses and map coordinates in ``text`` (normalised): rule → how many."""
    # Cheap tests first: most comments hold too few digits for a phone number,
    # no @, and nothing like 24.713 or 24°42; the full patterns cost far more.
    found = {}
    digits = sum(map(text.count, _DIGITS))
    if digits >= MIN_PHONE_DIGITS:
        found[PHONE_NUMBER] = sum(1 for _ in PHONE.finditer(text))
    if digits and COORDINATES_HINT.search(text):
        found[COORDINATES] = sum(1 for match in COORDINATES_PATTERN.finditer(text) if _plausible(match))
    if "@" in text:
        found[EMAIL_ADDRESS] = sum(1 for _ in EMAIL.finditer(text))
    return {rule: count for rule, count in found.items() if count}


def _plausible(match):
    if match.group("lat"):
        return abs(float(match.group("lat"))) <= 90 and abs(float(match.group("lon"))) <= 180
    return True


@functools.lru_cache(maxsize=16)
def _lowered(emails):
    return frozenset(email.strip().lower() for email in emails)


def parse_network(entry):
    """An address or CIDR range as an ip_network (host bits allowed); ValueError if it is neither."""
    return ipaddress.ip_network(entry.strip(), strict=False)


@functools.lru_cache(maxsize=16)
def _networks(entries):
    # Grouped by (version, prefix length), each a set of network numbers, so
    # a check costs one set lookup per distinct prefix length, not per range.
    groups = {}
    for entry in entries:
        try:
            network = parse_network(entry)
        except ValueError:
            continue
        key = (network.version, network.prefixlen)
        groups.setdefault(key, {})[int(network.network_address) >> (network.max_prefixlen - network.prefixlen)] = (
            str(network))
    return groups


def _blocked_range(ip, networks):
    if not ip or not networks:
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    number = int(address)
    for (version, prefixlen), numbers in networks.items():
        if version == address.version:
            found = numbers.get(number >> (address.max_prefixlen - prefixlen))
            if found:
                return found
    return None
