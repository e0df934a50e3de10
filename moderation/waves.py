"""What ties the comments of a spam wave together: near-duplicate text, link domains, an IP prefix.

Pure helpers; grouping comments by them (in Redis) is the caller's. Text is
compared through MinHash signatures of word shingles: ``signature`` is
deterministic across processes and hosts (keyed BLAKE2b, never Python's
salted ``hash``), and ``bands`` cuts a signature into short keys so that
near-duplicates share at least one key with high probability (locality
sensitive hashing). With 64 values in 16 bands of 4, two comments that are
50 % similar share a band about 64 % of the time, 80 % similar ones over
99 %, 20 % similar ones under 3 %; in 8 bands of 8, 90 % similar ones 99 %,
80 % similar 77 %, 70 % similar 38 %, 50 % similar 3 %.
"""

import hashlib
import ipaddress
import re
import struct

from . import textnorm

SIGNATURE_SIZE = 64
# A 64-bit hash is split into a bin number (its high part) and a value below this.
_SPAN = 1 << 48
# Copied for each shingle: half the cost of making a keyed BLAKE2b anew each time. Never updated itself.
_SHINGLE_HASH = hashlib.blake2b(digest_size=8, person=b"wave-minhash")


def shingles(text, k=3):
    """The runs of ``k`` consecutive normalised words of ``text``; a shorter text is one shingle."""
    words = textnorm.words(text)
    if len(words) <= k:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i:i + k]) for i in range(len(words) - k + 1))


def signature(text, n=SIGNATURE_SIZE):
    """The MinHash signature of ``text``'s shingles: ``n`` ints; empty when it has no words.

    One hash per shingle, spread over ``n`` bins, each keeping its smallest
    value (one-permutation MinHash): about as good an estimate as ``n``
    separate hash functions, at a fraction of the cost. A bin no shingle fell into
    borrows the next filled bin's value, marked with the distance, so short
    texts still compare position by position.
    """
    bins = [None] * n
    for shingle in shingles(text):
        hashed = _SHINGLE_HASH.copy()
        hashed.update(shingle.encode())
        value = int.from_bytes(hashed.digest(), "little")
        slot, rest = divmod(value, _SPAN)
        slot %= n
        if bins[slot] is None or rest < bins[slot]:
            bins[slot] = rest
    if all(value is None for value in bins):
        return ()
    return tuple(_densified(bins))


def _densified(bins):
    # Right to left, twice round the circle, carrying the nearest filled bin.
    n = len(bins)
    filled = list(bins)
    nearest, distance = None, 0
    for i in range(2 * n - 1, -1, -1):
        if bins[i % n] is not None:
            nearest, distance = bins[i % n], 0
        else:
            distance += 1
            if i < n:
                filled[i] = nearest + distance * _SPAN
    return filled


def similarity(a, b):
    """The estimated Jaccard similarity (0 to 1) of the texts behind two signatures."""
    if not a or not b:
        return 0.0
    if len(a) != len(b):
        raise ValueError("signatures of different sizes")
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def bands(sig, rows=4):
    """Short keys, one per band of ``rows`` values: near-duplicates share at least one."""
    if len(sig) % rows:
        raise ValueError(f"a signature of {len(sig)} values does not split into bands of {rows}")
    keys = []
    for band, start in enumerate(range(0, len(sig), rows)):
        packed = struct.pack(f"<{rows}Q", *sig[start:start + rows])
        keys.append(f"{band}:{hashlib.blake2b(packed, digest_size=8).hexdigest()}")
    return keys


# Hosts as readers write them: after a scheme, after www., or bare with a
# top-level domain spammers use. Bare names need one of these endings so
# that "sentence.it" typed without a space is not taken for a domain.
BARE_TLDS = (
    "com net org info biz io co xyz top online site club shop store app live pro vip win bet casino loan link "
    "click ru cn tk ml ga cf gq pw cc ws su ua uk de fr tr ir pk ps sa ae eg qa kw dz tn jo lb iq sy om bh ly sd "
    "ye"
).split()
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
LABEL = re.compile(_LABEL)
HOST = re.compile(
    r"https?://(?:[^\s/@]+@)?(?P<scheme_host>[^\s/:?#]+)"
    r"|(?<![\w./])(?P<www_host>www\.[^\s/:?#]+)"
    rf"|(?<![\w.@/-])(?P<bare_host>(?:{_LABEL}\.)+(?:{'|'.join(BARE_TLDS)}))(?![\w-])"
)
# Second-level labels under which names are registered (example.com.sa, example.co.uk).
SECOND_LEVEL = frozenset("com net org gov edu ac co mil sch info".split())


def link_domains(text, url=""):
    """The registrable-looking domains linked from ``text`` and the website ``url``, in order, once each.

    Lower-cased (normalised as words are), ``www.`` and subdomains dropped:
    ``https://a.b.example.com.sa/x`` gives ``example.com.sa``.
    """
    found = {}
    for source in (text or "", url or ""):
        # A host has a dot and no space: only such pieces are searched.
        for piece in textnorm.normalize(source).split():
            if "." in piece:
                for match in HOST.finditer(piece):
                    domain = _registrable(match.group(match.lastgroup))
                    if domain:
                        found[domain] = None
    return list(found)


def _registrable(host):
    host = host.strip(".").removeprefix("www.")
    labels = host.split(".")
    if len(labels) < 2 or not all(LABEL.fullmatch(label) for label in labels):
        return None
    if all(label.isdigit() for label in labels):
        return host  # an IPv4 address: the whole of it
    keep = 3 if len(labels) >= 3 and labels[-2] in SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def ip_prefix(ip):
    """The network an address belongs to for wave purposes: its /24 (IPv4) or /48 (IPv6); None if invalid."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    length = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{length}", strict=False))
