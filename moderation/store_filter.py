"""The learned filter's counts in Redis: how many spam and ham comments held each token.

A hash per label, token → count (``Keys.filter_tokens(label)``), and one of
totals, label → comments learned (``Keys.filter_documents``). Learning is
HINCRBY only, in one MULTI/EXEC, so concurrent decisions on several hosts add
up without a read in Python; scoring reads just the comment's tokens, in one
round trip.
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
        self._add(tokens, label, 1)

    @translated
    def unlearn(self, tokens, label):
        """Take back a ``learn`` of the same tokens and label (a decision undone or rescued)."""
        self._add(tokens, label, -1)

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

    def _add(self, tokens, label, amount):
        if label not in bayes.LABELS:
            raise ValueError(f"label must be one of {bayes.LABELS}, not {label!r}")
        key = self.keys.filter_tokens(label)
        pipe = self.client.pipeline(transaction=True)
        for token in dict.fromkeys(tokens):
            pipe.hincrby(key, token, amount)
        pipe.hincrby(self.keys.filter_documents, label, amount)
        pipe.execute()


def _count(value):
    return int(value) if value else 0
