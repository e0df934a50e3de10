"""The learned spam filter's figures: precision and recall on held-out comments, and what checks cost.

Trains the filter through ``FilterStore`` on a throw-away redis-server with
half of the labelled corpus that the tests build (``tests/spam_corpus.py``),
scores the other half, and compares it with the moderators' rules alone and
with both together. Prints Markdown; ``bench/SPAM_FILTER.md`` holds a run's.

    .venv/bin/python bench/spam_filter.py
"""

import os
import platform
import sys
import tempfile
import time
import timeit

# Run as a script from anywhere: the project root holds the packages.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import redis  # noqa: E402

from moderation import bayes, rules, textnorm, waves  # noqa: E402
from moderation.embedded import EmbeddedRedis  # noqa: E402
from moderation.store_filter import FilterStore  # noqa: E402
from tests import spam_corpus  # noqa: E402

LIST_SIZE = 500
# A typical comment and a long one.
COMMENT_CHARS = (200, 1000)


def main():
    items = spam_corpus.corpus()
    with tempfile.TemporaryDirectory() as folder:
        # Nothing here needs to survive: no append-only file, no snapshots.
        server = EmbeddedRedis(folder, extra_args=("--appendonly", "no", "--save", ""))
        server.start()
        client = redis.Redis.from_url(server.url, decode_responses=True)
        try:
            store = FilterStore(client, site="bench")
            report = spam_corpus.evaluate(store, items)
            costs = timings(items, store)
        finally:
            client.close()
            server.stop()
    print(markdown(items, report, costs))


def timings(items, store):
    """Microseconds per call of each check, on a comment of each length in COMMENT_CHARS: best of 7 runs."""
    # A long word list: the moderators' words plus vocabulary of the spam.
    vocabulary = dict.fromkeys(word for item in items if item.spam for word in textnorm.words(item.fields["body"]))
    terms = (list(spam_corpus.STARTER_RULES.blocked_words) + [w for w in vocabulary if not w.isdigit()])[:LIST_SIZE]
    learned = [store.client.hgetall(store.keys.filter_tokens(label)) for label in (bayes.SPAM, bayes.HAM)]
    documents = store.client.hgetall(store.keys.filter_documents)
    counts = (*({token: int(count) for token, count in hash_.items()} for hash_ in learned),
              int(documents[bayes.SPAM]), int(documents[bayes.HAM]))
    bodies = " ".join(item.fields["body"] for item in items if not item.spam)
    costs = {}
    for chars in COMMENT_CHARS:
        for name, timer, check in _checks(bodies[:chars], terms, counts, store):
            runs = timeit.repeat(check, timer=timer, number=200, repeat=7)
            costs.setdefault(name, {})[chars] = min(runs) / 200 * 1e6
    return costs


def _checks(comment, terms, counts, store):
    """(name, timer, check) for one comment: CPU time of this process for the pure checks (other
    processes on the machine do not count against them), wall-clock time for the round trip to Redis."""
    fields = {"body": comment, "author": "نور", "email": "reader@example.com", "url": "", "ip": "192.0.2.1"}
    site_rules = rules.Rules(blocked_words=tuple(terms), held_words=spam_corpus.STARTER_RULES.held_words)
    tokens = bayes.tokens(fields)
    fresh = _fresh_texts(comment)
    cpu = time.process_time
    return (
        (f"`textnorm.contains_term`, {LIST_SIZE}-term list, new text each call", cpu,
         lambda: textnorm.contains_term(next(fresh), terms)),
        (f"`textnorm.contains_term`, {LIST_SIZE}-term list, text seen before", cpu,
         lambda: textnorm.contains_term(comment, terms)),
        ("`rules.check`, all rules, new text each call", cpu,
         lambda: rules.check({**fields, "body": next(fresh)}, site_rules)),
        ("`bayes.tokens`, new text each call", cpu, lambda: bayes.tokens({**fields, "body": next(fresh)})),
        ("`bayes.score`, counts in memory", cpu, lambda: bayes.score(*counts, tokens)),
        ("`FilterStore.score`, one round trip to Redis (wall clock)", time.perf_counter, lambda: store.score(tokens)),
        ("`waves.signature`, new text each call", cpu, lambda: waves.signature(next(fresh))),
    )


def _fresh_texts(comment):
    # A different string each time (a changed last character) defeats the
    # small caches of normalised text, as a stream of new comments would.
    n = 0
    while True:
        n += 1
        yield comment[:-6] + f"{n:06d}"


def markdown(items, report, costs):
    spam = sum(item.spam for item in items)
    starter = spam_corpus.STARTER_RULES
    lines = [
        "# Spam filter: measured figures",
        "",
        "Printed by `.venv/bin/python bench/spam_filter.py`; `tests/test_spam_quality.py` asserts the same",
        "measurement (the filter beats the rules alone on F1, with precision of at least 0.9).",
        "",
        f"The corpus (`tests/spam_corpus.py`, seed {spam_corpus.SEED}) holds {len(items)} comments, {spam} spam",
        f"and {len(items) - spam} real, in Arabic, English and both. The filter learned {report.train_size} of",
        f"them through `FilterStore` and was measured on the other {report.test_size}, which it never saw.",
        "",
        f"- learned filter: flags a comment scoring {report.threshold} or more;",
        f"- rules alone: `spam_corpus.STARTER_RULES` ({len(starter.blocked_words)} blocked words,"
        f" {len(starter.held_words)} held words, more than {starter.max_links} links, personal data),",
        "  flagging a comment when any rule says spam or hold;",
        "- filter or rules: either flags it.",
        "",
        "| on the held-out part | precision | recall | F1 | spam caught | real comments flagged | spam missed |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, figures in (("learned filter", report.filter), ("rules alone", report.rules),
                          ("filter or rules", report.combined)):
        lines.append(f"| {name} | {figures.precision:.3f} | {figures.recall:.3f} | {figures.f1:.3f} "
                     f"| {figures.caught} | {figures.false_alarms} | {figures.missed} |")
    lines += [
        "",
        "## What the checks cost",
        "",
        f"Microseconds per call (Python {platform.python_version()}, {platform.machine()}), best of 7 runs of 200,",
        "on the start of the corpus's real comments run together (Arabic, English and both). \"New text each",
        "call\" defeats the small caches of normalised text through which the rules, the filter and the wave",
        "signature of one submission share the work. Pure checks are timed in this process's CPU time, the",
        "round trip to Redis on the wall clock.",
        "",
        "| check | " + " | ".join(f"{chars} characters" for chars in COMMENT_CHARS) + " |",
        "| --- |" + " ---: |" * len(COMMENT_CHARS),
    ]
    lines += [f"| {name} | " + " | ".join(f"{by_length[chars]:.0f}" for chars in COMMENT_CHARS) + " |"
              for name, by_length in costs.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
