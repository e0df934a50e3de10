"""The learned filter's counts in Redis: how many spam and ham comments held each token.

A hash per label, token → count (``Keys.filter_tokens(label)``), and one of
totals, label → comments learned (``Keys.filter_documents``). Learning is
HINCRBY only, so concurrent decisions on several hosts add up without a read
in Python: a moderator's decision (and its undo) counts inside its own script
(Store.decide, Store.undo), what else teaches the filter (a rescue, emptying
the spam list) in one MULTI/EXEC here. Scoring reads just the comment's
tokens, in one round trip.
"""

from . import bayes
from .keys import Keys
from .store import translated


class FilterStore:
    """One site's learned spam filter."""

    def __init__(self, client, site="main"):
        self.client = client
        self.keys = Keys(site)

    @translated
    def learn(self, tokens, label):
        """Count one comment with ``tokens`` as ``label`` (``spam`` or ``ham``)."""
        if label not in bayes.LABELS:
            raise ValueError(f"label must be one of {bayes.LABELS}, not {label!r}")
        key = self.keys.filter_tokens(label)
        pipe = self.client.pipeline(transaction=True)
        for token in dict.fromkeys(tokens):
            pipe.hincrby(key, token, 1)
        pipe.hincrby(self.keys.filter_documents, label, 1)
        pipe.execute()

    @translated
    def score(self, tokens):
        """``bayes.score`` of ``tokens`` against the counts learned so far: (probability, reasons)."""
        tokens = list(dict.fromkeys(tokens))
        if not tokens:
            return bayes.score({}, {}, 0, 0, tokens)
        pipe = self.client.pipeline(transaction=False)
        pipe.hmget(self.keys.filter_documents, [bayes.SPAM, bayes.HAM])
        pipe.hmget(self.keys.filter_tokens(bayes.SPAM), tokens)
        pipe.hmget(self.keys.filter_tokens(bayes.HAM), tokens)
        (docs_spam, docs_ham), spam, ham = pipe.execute()
        return bayes.score(dict(zip(tokens, map(_count, spam), strict=True)),
                           dict(zip(tokens, map(_count, ham), strict=True)),
                           _count(docs_spam), _count(docs_ham), tokens)

def _count(value):
    return int(value) if value else 0
