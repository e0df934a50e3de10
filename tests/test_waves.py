"""What ties a spam wave together: near-duplicate text, link domains, IP prefixes."""



import os
import subprocess
import sys

import pytest

from moderation.waves import SIGNATURE_SIZE, bands, ip_prefix, link_domains, shingles, signature, similarity

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AD = "اربح الآن مع أفضل كازينو أونلاين في العالم سجل الآن واحصل على مكافأة ترحيبية ضخمة"
AD_VARIANT = "اربحْ الآن مع أفضل كازينـــو أونلاين في العالم سجّل الآن واحصل على مكافأة ترحيبية كبيرة جداً"
OPINION = "الصواريخ الفرط صوتية ستجعل كل هذه المعاهدات بلا معنى في السنوات القادمة"


def test_shingles_are_runs_of_normalised_words():
    assert shingles("One two, THREE four!") == {"one two three", "two three four"}
    assert shingles("a b c d", k=2) == {"a b", "b c", "c d"}


@pytest.mark.parametrize(("text", "expected"), [("hello", {"hello"}), ("hello there", {"hello there"}),
                                                ("one two three", {"one two three"}), ("", set()), ("؟!", set())])
def test_shingles_of_a_short_text_is_the_text(text, expected):
    assert shingles(text) == expected


def test_shingles_ignore_disguises():
    assert shingles("اربحْ الآنَ مع أفضلِ كـــازينو") == shingles("اربح الان مع افضل كازينو")


def test_signature_has_the_requested_size():
    assert len(signature(AD)) == SIGNATURE_SIZE
    assert len(signature(AD, n=128)) == 128
    assert all(isinstance(value, int) for value in signature("one"))


@pytest.mark.parametrize("text", ["", "   ", "!!! ؟"])
def test_signature_of_no_words_is_empty(text):
    assert signature(text) == ()


def test_signature_is_the_same_in_every_process():
    code = f"from moderation.waves import signature; print(signature({AD!r}))"
    outputs = {
        subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip()
        for seed in ("1", "2")
    }
    assert outputs == {str(signature(AD))}


def test_similarity_of_the_same_text_is_one():
    assert similarity(signature(AD), signature(AD)) == 1.0
    assert similarity(signature("اربحْ الآنَ مع أفضلِ كـــازينو"), signature("اربح الان مع افضل كازينو")) == 1.0


def test_similarity_of_near_duplicates_is_high_and_of_others_low():
    assert similarity(signature(AD), signature(AD_VARIANT)) > 0.5
    assert similarity(signature(AD), signature(OPINION)) < 0.2


def test_similarity_estimates_the_shingles_overlap():
    words = [f"w{i}" for i in range(200)]
    a, b = " ".join(words[:150]), " ".join(words[50:])  # 98 of 198 shingles shared: about 0.49
    assert similarity(signature(a), signature(b)) == pytest.approx(98 / 198, abs=0.15)


def test_similarity_of_nothing_is_zero():
    assert similarity((), signature(AD)) == 0.0
    assert similarity((), ()) == 0.0


def test_similarity_refuses_signatures_of_different_sizes():
    with pytest.raises(ValueError, match="sizes"):
        similarity(signature(AD), signature(AD, n=32))


def test_bands_are_one_short_key_per_band():
    keys = bands(signature(AD), rows=4)
    assert len(keys) == SIGNATURE_SIZE // 4
    assert len(set(keys)) == len(keys)
    assert all(len(key) <= 24 for key in keys)
    assert bands(signature(AD)) == keys


def test_bands_of_near_duplicates_meet_and_of_others_do_not():
    assert set(bands(signature(AD))) & set(bands(signature(AD_VARIANT)))
    assert not set(bands(signature(AD))) & set(bands(signature(OPINION)))


def test_bands_refuse_rows_that_do_not_divide_the_signature():
    with pytest.raises(ValueError, match="bands"):
        bands(signature(AD), rows=5)


def test_bands_of_an_empty_signature_are_none():
    assert bands(()) == []


@pytest.mark.parametrize(("text", "url", "expected"), [
    ("see https://www.Example.com/page", "", ["example.com"]),
    ("see http://a.b.example.com:8080/x?y=1", "", ["example.com"]),
    ("see https://user@example.org/", "", ["example.org"]),
    ("www.casino-bonus.xyz/?a=1 and WWW.CASINO-BONUS.XYZ", "", ["casino-bonus.xyz"]),
    ("بيع على crypto-gain.io الآن", "", ["crypto-gain.io"]),
    ("visit bit.ly/abc", "", ["bit.ly"]),
    ("موقعنا https://shop.example.com.sa/عرض", "", ["example.com.sa"]),
    ("", "https://blog.example.co.uk/about", ["example.co.uk"]),
    ("https://a.example.net", "https://b.example.net", ["example.net"]),
    ("http://192.0.2.1/x", "", ["192.0.2.1"]),
    ("ｈｔｔｐｓ://ｅｘａｍｐｌｅ.ｃｏｍ", "", ["example.com"]),
    ("a https://one.example b https://two.example", "", ["one.example", "two.example"]),
])
def test_link_domains_are_registrable_looking_hosts(text, url, expected):
    assert link_domains(text, url) == expected


@pytest.mark.parametrize("text", [
    "the end.It was late",  # a missing space, not a domain
    "e.g. this, i.e. that",
    "mail me at someone@example.com",
    "http://localhost/x",
    "version 3.14 of it",
    "",
])
def test_link_domains_leave_what_is_not_a_link(text):
    assert link_domains(text) == []


@pytest.mark.parametrize(("ip", "prefix"), [
    ("203.0.113.77", "203.0.113.0/24"),
    (" 203.0.113.1 ", "203.0.113.0/24"),
    ("2001:db8:1:2::1", "2001:db8:1::/48"),
    ("2001:DB8:ABCD:FFFF::1", "2001:db8:abcd::/48"),
    ("::ffff:198.51.100.3", "198.51.100.0/24"),
    ("", None),
    (None, None),
    ("not an address", None),
])
def test_ip_prefix_is_the_24_or_48_network(ip, prefix):
    assert ip_prefix(ip) == prefix
