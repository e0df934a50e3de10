"""The learned filter: its tokens, its arithmetic, and its counts in a real Redis."""

import math
import threading

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from moderation import bayes
from moderation.bayes import HAM, SPAM, score, token_probability, tokens
from moderation.errors import StoreUnavailable
from moderation.keys import Keys
from moderation.store_filter import FilterStore

from .conftest import client_for

SPAM_COUNTS = {"casino": 40, "bonus": 30, "article": 1}
HAM_COUNTS = {"article": 40, "thanks": 25, "bonus": 1}


def test_tokens_are_body_words_with_their_bare_stems():
    found = tokens({"body": "العب بالكازينو Casino"})
    assert {"العب", "بالكازينو", "كازينو", "casino"} <= set(found)


def test_tokens_are_listed_once():
    found = tokens({"body": "casino casino CASINO كازينو وكازينو", "author": "casino casino"})
    assert len(found) == len(set(found))


@pytest.mark.parametrize("disguised", [
    "اربح الآن مع أفضل كَازِينُو",
    "اربح الآن مع أفضل كـــازيـنـو",
    "اربح الان مع افضل كاز\u200dينو",
    "اربحْ الآنَ مع أفضلِ ﻛﺎﺯﻳﻨﻮ",
])
def test_tokens_see_through_disguises(disguised):
    assert tokens({"body": disguised}) == tokens({"body": "اربح الآن مع أفضل كازينو"})


def test_tokens_mark_author_words():
    assert {"author:best", "author:casino"} <= set(tokens({"body": "hi", "author": "Best CASINO"}))


def test_tokens_hold_linked_domains_and_the_email_domain():
    found = tokens({"body": "see https://www.Casino-Bonus.xyz/win", "url": "http://blog.spam.example.com/",
                    "email": "someone@Mail.Example"})
    assert {"domain:casino-bonus.xyz", "domain:example.com", "email:mail.example"} <= set(found)


@pytest.mark.parametrize(("body", "feature"), [
    ("no link", "links:0"),
    ("one https://a.example", "links:1"),
    ("two https://a.example www.b.example", "links:2"),
    ("many https://a.example https://b.example https://c.example https://d.example", "links:many"),
])
def test_tokens_count_links(body, feature):
    assert [token for token in tokens({"body": body}) if token.startswith("links:")] == [feature]


@pytest.mark.parametrize(("fields", "feature"), [
    ({"body": "hi", "url": "https://a.example"}, "has:website"),
    ({"body": "واتساب ٠٥٠١٢٣٤٥٦٧"}, "has:phone_number"),
    ({"body": "write to a@b.example"}, "has:email_address"),
    ({"body": "at 24.7136, 46.6753"}, "has:coordinates"),
])
def test_tokens_flag_websites_and_personal_data(fields, feature):
    assert feature in tokens(fields)
    assert feature not in tokens({"body": "hello there"})


def test_tokens_fold_long_numbers_into_one():
    found = tokens({"body": "order 12345678 or 98765432, year 2024"})
    assert "number:long" in found
    assert "2024" in found
    assert "12345678" not in found


def test_tokens_are_capped():
    body = " ".join(f"word{i}" for i in range(2 * bayes.MAX_TOKENS))
    assert len(tokens({"body": body})) == bayes.MAX_TOKENS


def test_tokens_cut_long_words():
    assert "x" * bayes.MAX_TOKEN_LENGTH in tokens({"body": "x" * 500})


@pytest.mark.parametrize(("docs_spam", "docs_ham"), [(0, 0), (9, 500), (500, 9), (bayes.MIN_DOCUMENTS - 1,) * 2])
def test_score_is_neutral_with_too_little_training(docs_spam, docs_ham):
    assert score(SPAM_COUNTS, HAM_COUNTS, docs_spam, docs_ham, ["casino", "bonus"]) == (0.5, [])


@pytest.mark.parametrize("found", [[], ["never", "seen"], ["article", "bonus"]])
def test_score_is_neutral_without_telling_tokens(found):
    # article and bonus were seen in both labels alike: no evidence either way.
    balanced = {"article": 20, "bonus": 20}
    assert score(balanced, balanced, 50, 50, found) == (0.5, [])


def test_score_is_high_for_spam_tokens_and_low_for_ham_tokens():
    spam, _ = score(SPAM_COUNTS, HAM_COUNTS, 50, 50, ["casino", "bonus", "unknown"])
    ham, _ = score(SPAM_COUNTS, HAM_COUNTS, 50, 50, ["article", "thanks"])
    assert spam > 0.99
    assert ham < 0.01


def test_score_reasons_are_the_strongest_tokens_with_signed_weights():
    _, reasons = score(SPAM_COUNTS, HAM_COUNTS, 50, 50, ["thanks", "casino", "unknown", "bonus"])
    # bonus was once in ham too: weaker evidence than thanks, never in spam.
    assert [token for token, _ in reasons] == ["casino", "thanks", "bonus"]
    weights = dict(reasons)
    assert weights["casino"] > 0
    assert weights["bonus"] > 0
    assert weights["thanks"] < 0
    assert abs(weights["casino"]) >= abs(weights["thanks"]) >= abs(weights["bonus"])


def test_score_gives_at_most_a_few_reasons():
    counts = {f"t{i}": 30 for i in range(20)}
    _, reasons = score(counts, {}, 50, 50, list(counts))
    assert len(reasons) == bayes.REASONS


def test_score_caps_the_influence_of_one_token():
    probability, reasons = score({"casino": 10_000}, {}, 10_000, 10_000, ["casino"])
    assert probability == pytest.approx(bayes.TOKEN_CEILING)
    assert reasons == [("casino", round(math.log(99), 2))]


def test_score_is_unsure_when_strong_clues_disagree():
    probability, _ = score({"casino": 50}, {"thanks": 50}, 50, 50, ["casino", "thanks"])
    assert probability == pytest.approx(0.5)


def test_score_compares_frequencies_within_each_label():
    # In 10 % of the spam and 10 % of the ham: however lopsided the training, no evidence.
    assert score({"news": 100}, {"news": 5}, 1000, 50, ["news"]) == (0.5, [])


def test_score_reads_negative_counts_as_none():
    assert score({"casino": -3}, {"casino": -1}, 50, 50, ["casino"]) == (0.5, [])


def test_score_does_not_depend_on_token_order_or_repeats():
    found = ["casino", "thanks", "bonus", "article"]
    first = score(SPAM_COUNTS, HAM_COUNTS, 50, 50, found)
    assert score(SPAM_COUNTS, HAM_COUNTS, 50, 50, list(reversed(found)) + found) == first


@pytest.mark.parametrize(("spam", "ham", "expected"), [
    (1, 0, 0.75),  # one comment is thin evidence
    (10, 0, 0.95),
    (100, 0, 0.99),  # capped
    (0, 1, 0.25),
    (5, 5, 0.5),
])
def test_token_probability_is_pulled_towards_neutral_while_evidence_is_thin(spam, ham, expected):
    assert token_probability(spam, ham, 50, 50) == pytest.approx(expected, abs=0.005)


def stored(redis_client, site, label):
    keys = Keys(site)
    return redis_client.hgetall(keys.filter_tokens(label)), redis_client.hgetall(keys.filter_documents)


def test_filter_store_learn_counts_each_token_once_per_comment(redis_client):
    store = FilterStore(redis_client, site="news")
    store.learn(["casino", "bonus", "casino"], SPAM)
    store.learn(["casino"], SPAM)
    assert stored(redis_client, "news", SPAM) == ({"casino": "2", "bonus": "1"}, {"spam": "2"})
    assert redis_client.exists("cm:{news}:filter:tokens:ham") == 0


def test_filter_store_keys_carry_the_site_hash_tag(redis_client):
    FilterStore(redis_client, site="news").learn(["casino"], HAM)
    assert sorted(redis_client.keys("*")) == ["cm:{news}:filter:documents", "cm:{news}:filter:tokens:ham"]


def test_filter_store_refuses_unknown_labels_and_writes_nothing(redis_client):
    store = FilterStore(redis_client)
    with pytest.raises(ValueError, match="label"):
        store.learn(["casino"], "junk")
    assert redis_client.keys("*") == []


def test_filter_store_untrained_scores_neutral(redis_client):
    store = FilterStore(redis_client)
    assert store.score(["casino"]) == (0.5, [])
    assert store.score([]) == (0.5, [])


def test_filter_store_score_is_the_pure_score_of_the_stored_counts(redis_client):
    store = FilterStore(redis_client)
    for _ in range(30):
        store.learn(["casino", "bonus", "free"], SPAM)
        store.learn(["article", "thanks", "free"], HAM)
    found = ["casino", "free", "thanks", "never-seen"]
    expected = score({"casino": 30, "bonus": 30, "free": 30}, {"article": 30, "thanks": 30, "free": 30}, 30, 30,
                     found)
    assert store.score(found) == expected
    assert store.score(["casino", "bonus"])[0] > 0.99
    assert store.score(["article"])[0] < 0.05


def test_filter_store_concurrent_learning_adds_up(redis_server, redis_client):
    def learn_many():
        client = client_for(redis_server.url)
        store = FilterStore(client)
        for _ in range(25):
            store.learn(["casino", "bonus"], SPAM)
        client.close()

    threads = [threading.Thread(target=learn_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stored(redis_client, "main", SPAM) == ({"casino": "200", "bonus": "200"}, {"spam": "200"})


@pytest.mark.parametrize("action", ["learn", "score"])
def test_filter_store_unreachable_raises_store_unavailable(tmp_path, action):
    client = redis.Redis(unix_socket_path=str(tmp_path / "none.sock"), retry=Retry(NoBackoff(), 0),
                         decode_responses=True)
    store = FilterStore(client)
    with pytest.raises(StoreUnavailable):
        if action == "score":
            store.score(["casino"])
        else:
            getattr(store, action)(["casino"], SPAM)
    client.close()
