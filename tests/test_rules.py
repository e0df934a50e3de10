"""The moderators' rules over one comment: word lists, links, personal data, blocked readers."""



import dataclasses

import pytest

from moderation import rules
from moderation.rules import HOLD, SPAM, Rules, Signal, check, count_links, parse_network, personal_data, verdict


def comment(**fields):
    values = {"body": "تعليق عادي عن الأخبار", "author": "نور", "email": "noor@example.com", "url": "",
              "ip": "192.0.2.10"}
    values.update(fields)
    return values


def fired(signals, rule):
    return [signal for signal in signals if signal.rule == rule]


WORDS = Rules(blocked_words=("كازينو", "viagra"), held_words=("بيتكوين", "crypto"))


@pytest.mark.parametrize(("field", "value"), [
    ("body", "أفضل كَـازينو في العالم"),
    ("author", "Viagra Shop"),
    ("email", "viagra.deals@example.com"),
    ("url", "https://best-viagra.example/"),
    ("body", "زوروا بالكازينو"),
])
def test_check_blocked_word_in_any_field_is_spam(field, value):
    signals = check(comment(**{field: value}), WORDS)
    assert fired(signals, rules.BLOCKED_WORD) == [
        Signal(rules.BLOCKED_WORD, SPAM, f"{field}: {'viagra' if 'iagra' in value else 'كازينو'}")]
    assert verdict(signals) == SPAM


@pytest.mark.parametrize(("field", "value"), [
    ("body", "استثمر في البيتكوين"),
    ("author", "Crypto King"),
    ("url", "https://crypto.example/"),
])
def test_check_held_word_in_any_field_holds(field, value):
    signals = check(comment(**{field: value}), WORDS)
    assert [signal.rule for signal in signals] == [rules.HELD_WORD]
    assert signals[0].verdict == HOLD
    assert signals[0].detail.startswith(f"{field}: ")
    assert verdict(signals) == HOLD


def test_check_reports_blocked_and_held_words_per_field():
    signals = check(comment(body="كازينو و crypto", author="viagra"), WORDS)
    assert signals == [
        Signal(rules.BLOCKED_WORD, SPAM, "body: كازينو"),
        Signal(rules.BLOCKED_WORD, SPAM, "author: viagra"),
        Signal(rules.HELD_WORD, HOLD, "body: crypto"),
    ]


@pytest.mark.parametrize("body", ["a classic casino-free comment", "الكازينوهات", "viagrafalls"])
def test_check_words_match_whole_words_only(body):
    assert check(comment(body=body), Rules(blocked_words=("ass", "كازينو", "viagra"))) == []


def test_check_clean_comment_raises_nothing():
    assert check(comment(), WORDS) == []
    assert verdict([]) is None


def test_check_tolerates_missing_and_empty_fields():
    assert check({"body": "hello"}, WORDS) == []
    assert check({"body": None, "author": None, "email": None, "url": None, "ip": None}, WORDS) == []


@pytest.mark.parametrize(("text", "links"), [
    ("no links here", 0),
    ("see example.com", 0),
    ("http://example.com", 1),
    ("HTTPS://EXAMPLE.COM/path", 1),
    ("https://www.example.com", 1),
    ("www.example.com", 1),
    ("awww.example.com", 0),
    ("ｈｔｔｐｓ://example.com", 1),
    ("ww\u200bw.example.com", 1),
    ("http://a.example https://b.example www.c.example", 3),
    ("المصدر:https://a.example/مقال و https://b.example", 2),
])
def test_count_links_counts_web_addresses(text, links):
    from moderation.textnorm import normalize

    assert count_links(normalize(text)) == links


@pytest.mark.parametrize(("links", "max_links", "held"), [
    (2, 2, False),
    (3, 2, True),
    (1, 0, True),
    (0, 0, False),
    (5, None, False),
])
def test_check_holds_more_links_than_allowed(links, max_links, held):
    body = " ".join(f"https://site{i}.example/" for i in range(links))
    signals = fired(check(comment(body=body or "hello"), Rules(max_links=max_links)), rules.TOO_MANY_LINKS)
    assert signals == ([Signal(rules.TOO_MANY_LINKS, HOLD, f"{links} links, more than {max_links}")] if held else [])


def test_rules_default_allows_two_links():
    assert Rules().max_links == 2


def test_check_does_not_count_the_website_field_as_a_link():
    assert check(comment(body="https://a.example https://b.example", url="https://c.example"), Rules()) == []


@pytest.mark.parametrize("body", [
    "call me +966 50 123 4567",
    "call me +966501234567",
    "اتصل على 0501234567",
    "اتصل على 050 123 4567",
    "اتصل على 050-123-4567",
    "واتساب ٠٥٠١٢٣٤٥٦٧",
    "واتساب +٩٦٦ ٥٠ ١٢٣ ٤٥٦٧",
    "واتساب ۰۵۰۱۲۳۴۵۶۷",
    "00971 50 123 4567",
    "+20 10 1234 5678",
    "01012345678 مصر",
    "+1 (555) 123-4567",
    "+44 20 7946 0958",
    "wa.me/966501234567",
    "رقمي05012345678للتواصل",
    "0 5 0 1 2 3 4 5 6 7",
    "05\u200b01234567",
])
def test_check_holds_phone_numbers(body):
    signals = check(comment(body=body), Rules())
    assert [signal.rule for signal in signals] == [rules.PHONE_NUMBER]
    assert signals[0].verdict == HOLD


@pytest.mark.parametrize("body", [
    "في عام 2024 اشترت 36 طائرة",
    "العقد بقيمة 580 مليون دولار",
    "بين 1990-2000 تغير كل شيء",
    "التاريخ 01-05-2024",
    "F-35 and S-400",
    "pi is 3.14159265",
    "the server 192.168.100.200",
    "1,000,000,000 dollars",
    "الرقم ١٢٣٤٥",
    "1234567",
])
def test_check_leaves_numbers_that_are_not_phone_numbers(body):
    assert personal_data(body) == {}


@pytest.mark.parametrize("body", [
    "راسلني على ahmed.ali@gmail.com",
    "write to JOHN+spam@Example.CO.UK",
    "بريدي أحمد@مثال.مصر",
    "me＠example.com",
])
def test_check_holds_email_addresses_in_the_text(body):
    assert [signal.rule for signal in check(comment(body=body), Rules())] == [rules.EMAIL_ADDRESS]


@pytest.mark.parametrize("body", ["@ahmed أتفق معك", "a@b", "email me at gmail"])
def test_check_leaves_what_is_not_an_email_address(body):
    assert check(comment(body=body), Rules()) == []


@pytest.mark.parametrize("body", [
    "القاعدة عند 24.7136, 46.6753 تماماً",
    "الموقع 24.7136،46.6753",
    "الإحداثيات ٢٤٫٧١٣٦، ٤٦٫٦٧٥٣",
    "at -33.8688 151.2093",
    "24.713N, 46.675E",
    "24°42'49\"N 46°40'30\"E",
    "24° 42′ N, 46° 40′ E",
    "24º42′49″N 46º40′30″E",
])
def test_check_holds_map_coordinates(body):
    assert [signal.rule for signal in check(comment(body=body), Rules())] == [rules.COORDINATES]


@pytest.mark.parametrize("body", [
    "24.7, 46.6",  # one decimal: a region, not a place
    "95.1234, 46.1234",  # no latitude above 90
    "version 3.14159 of the firmware",
    "angle of 30° and 45°",
    "سعر 1.500 و 2.250",
])
def test_check_leaves_numbers_that_are_not_coordinates(body):
    assert fired(check(comment(body=body), Rules()), rules.COORDINATES) == []


def test_check_counts_repeated_personal_data():
    signals = check(comment(body="0501234567 أو 0551234567"), Rules())
    assert signals == [Signal(rules.PHONE_NUMBER, HOLD, "2 x phone number")]


def test_check_looks_for_personal_data_in_the_body_only():
    assert check(comment(author="0501234567", url="https://x.example/0501234567"), Rules()) == []


@pytest.mark.parametrize(("email", "blocked"), [
    ("spammer@example.com", True),
    ("Spammer@Example.COM", True),
    (" spammer@example.com ", True),
    ("spammer2@example.com", False),
    ("spammer@example.co", False),
])
def test_check_blocked_email_is_spam(email, blocked):
    signals = check(comment(email=email), Rules(blocked_emails=("SPAMMER@example.com",)))
    assert signals == ([Signal(rules.BLOCKED_EMAIL, SPAM, "email address on the block list")] if blocked else [])


@pytest.mark.parametrize(("ip", "entry"), [
    ("203.0.113.7", "203.0.113.7"),
    ("203.0.113.7", "203.0.113.0/24"),
    ("203.0.113.7", "203.0.113.99/24"),  # host bits in the entry are fine
    ("203.0.113.7", "203.0.0.0/16"),
    ("::ffff:203.0.113.7", "203.0.113.0/24"),
    ("2001:db8:1:2::5", "2001:db8::/32"),
    ("2001:DB8::1", "2001:db8::1"),
])
def test_check_blocked_ip_or_range_is_spam(ip, entry):
    signals = check(comment(ip=ip), Rules(blocked_ips=("198.51.100.0/24", entry)))
    assert [(signal.rule, signal.verdict) for signal in signals] == [(rules.BLOCKED_IP, SPAM)]


@pytest.mark.parametrize("ip", ["203.0.114.1", "2001:db9::1", "", "not an ip", "::1"])
def test_check_other_addresses_are_not_blocked(ip):
    assert check(comment(ip=ip), Rules(blocked_ips=("203.0.113.0/24", "2001:db8::/32", "garbage"))) == []


def test_check_passes_over_entries_that_do_not_parse():
    signals = check(comment(ip="203.0.113.7"), Rules(blocked_ips=("garbage", "300.1.1.1/8", "203.0.113.7")))
    assert [signal.rule for signal in signals] == [rules.BLOCKED_IP]


def test_check_block_details_never_repeat_the_readers_address():
    signals = check(comment(email="spammer@example.com", ip="203.0.113.7"),
                    Rules(blocked_emails=("spammer@example.com",), blocked_ips=("203.0.113.0/24",)))
    assert [signal.verdict for signal in signals] == [SPAM, SPAM]
    assert all("spammer" not in signal.detail and "203.0.113.7" not in signal.detail for signal in signals)


@pytest.mark.parametrize("entry", ["garbage", "300.1.1.1", "10.0.0.0/33", ""])
def test_parse_network_refuses_what_is_not_an_address_or_range(entry):
    with pytest.raises(ValueError, match="does not appear to be"):
        parse_network(entry)


def test_parse_network_accepts_addresses_and_ranges():
    assert str(parse_network(" 203.0.113.9/24 ")) == "203.0.113.0/24"
    assert str(parse_network("2001:db8::1")) == "2001:db8::1/128"


@pytest.mark.parametrize(("verdicts", "strongest"), [
    ([], None),
    ([HOLD], HOLD),
    ([HOLD, SPAM, HOLD], SPAM),
    ([SPAM], SPAM),
])
def test_verdict_is_the_strongest_signal(verdicts, strongest):
    assert verdict([Signal("r", v, "") for v in verdicts]) == strongest


def test_signal_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Signal(rules.BLOCKED_WORD, SPAM, "").verdict = HOLD
