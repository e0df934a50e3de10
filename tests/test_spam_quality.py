"""The learned filter, trained through Redis on part of a labelled corpus, against held-out comments."""

from moderation import bayes, textnorm
from moderation.store_filter import FilterStore
from tests import spam_corpus


def test_spam_corpus_is_large_labelled_bilingual_and_repeatable():
    items = spam_corpus.corpus()
    assert len(items) >= 400
    assert items == spam_corpus.corpus()
    spam = [item for item in items if item.spam]
    assert len(spam) == spam_corpus.SPAM_COUNT
    assert len(items) - len(spam) == spam_corpus.HAM_COUNT
    arabic = sum(any("\u0621" <= ch <= "\u064a" for ch in item.fields["body"]) for item in items)
    latin = sum(any("a" <= ch <= "z" for ch in item.fields["body"].lower()) for item in items)
    assert arabic > 150
    assert latin > 150


def test_spam_corpus_disguises_arabic_spam():
    bodies = [item.fields["body"] for item in spam_corpus.corpus() if item.spam]
    assert any("\u0640" in body for body in bodies)  # tatweel
    assert any("\u200d" in body or "\u200c" in body for body in bodies)  # zero-width joiners
    assert any("\u064e" in body or "\u0650" in body for body in bodies)  # harakat
    assert any("٠" <= ch <= "٩" for body in bodies for ch in body)


def test_spam_corpus_split_keeps_the_parts_apart():
    train, test = spam_corpus.split(spam_corpus.corpus())
    assert len(train) >= 200
    assert len(test) >= 200
    assert not {id(item) for item in train} & {id(item) for item in test}
    assert not {item.fields["body"] for item in train} & {item.fields["body"] for item in test}
    assert sum(item.spam for item in test) >= 100


def test_spam_filter_beats_the_rules_alone_on_held_out_comments(redis_client):
    report = spam_corpus.evaluate(FilterStore(redis_client, site="quality"), spam_corpus.corpus())
    assert report.filter.f1 > report.rules.f1
    assert report.filter.precision >= 0.9
    # Not a trivial corpus: the rules alone catch some spam, not all of it.
    assert 0.3 < report.rules.recall < 0.9


def test_spam_filter_learned_through_redis(redis_client):
    store = FilterStore(redis_client, site="quality")
    spam_corpus.evaluate(store, spam_corpus.corpus())
    documents = redis_client.hgetall("cm:{quality}:filter:documents")
    train, _ = spam_corpus.split(spam_corpus.corpus())
    assert documents == {"spam": str(sum(item.spam for item in train)),
                         "ham": str(sum(not item.spam for item in train))}
    probability, reasons = store.score(bayes.tokens({"body": "اربح الآن مع أفضل كَـازينو أونلاين https://x.example"}))
    assert probability >= spam_corpus.THRESHOLD
    assert any(textnorm.normalize("كازينو") in token for token, weight in reasons if weight > 0)
