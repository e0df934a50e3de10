"""The learned spam filter's arithmetic: a comment's tokens, and its score from the counts.

Naive Bayes as Gary Robinson proposed it for mail: each token's spam
probability comes from how many spam and ham (approved) comments held it,
pulled towards 0.5 while the evidence is thin; the most telling tokens are
combined with Fisher's method, which says "unsure" (near 0.5) when strong
spam and strong ham clues meet instead of swinging to an extreme. Counts
live in Redis (``store_filter``); this module is pure.
"""

import functools
import math

from . import rules, textnorm, waves

SPAM = "spam"
HAM = "ham"
LABELS = (SPAM, HAM)

# Below this many learned comments of either label the filter has no opinion.
MIN_DOCUMENTS = 10
# Robinson's strength of the prior: how many comments' worth of belief that
# an unknown token is neutral (0.5).
PRIOR_STRENGTH = 1.0
# Tokens nearer 0.5 than this are noise; of the rest, the most telling are used.
MIN_DEVIATION = 0.1
MAX_CLUES = 150
# No token alone may push the score all the way to 0 or 1. With at most
# MAX_CLUES clues held inside these bounds, Fisher's sums stay far from
# floating-point underflow.
TOKEN_FLOOR, TOKEN_CEILING = 0.01, 0.99
REASONS = 6
# The tokens a comment the filter sends to spam names as the reason.
SPAM_REASONS = 3

# A comment gives at most this many tokens; longer words are cut.
MAX_TOKENS = 400
MAX_TOKEN_LENGTH = 40
# Digit runs this long are phone or order numbers: one token for all of them.
LONG_NUMBER = 7
# From this many links on, a comment's link count is one token: "many".
MANY_LINKS = 3


def tokens(comment_fields):
    """The filter's tokens for a comment (keys body, author, email, url), each once.

    Body words (and their bare stems, without attached Arabic prefixes),
    prefixed author words, linked domains, the email's domain, and a few
    shape features: a website given, how many links, personal data in the
    text (``has:phone_number``, ``has:email_address``, ``has:coordinates``).
    """
    body = comment_fields.get("body") or ""
    url = comment_fields.get("url") or ""
    email = comment_fields.get("email") or ""
    found = {}
    for word in textnorm.words(body):
        found.update(_word_tokens(word))
    for word in textnorm.words(comment_fields.get("author") or ""):
        found["author:" + word[:MAX_TOKEN_LENGTH]] = None
    for domain in waves.link_domains(body, url):
        found["domain:" + domain] = None
    if "@" in email:
        found["email:" + textnorm.normalize(email.rpartition("@")[2].strip())] = None
    normalized = textnorm.normalize(body)
    links = rules.count_links(normalized)
    found["links:" + ("many" if links >= MANY_LINKS else str(links))] = None
    if url:
        found["has:website"] = None
    for rule in rules.personal_data(normalized):
        found["has:" + rule] = None
    return list(found)[:MAX_TOKENS]


@functools.lru_cache(maxsize=8192)
def _word_tokens(word):
    # A word and its bare stem; every long number is one token.
    if word.isdigit() and len(word) >= LONG_NUMBER:
        return {"number:long": None}
    token = word[:MAX_TOKEN_LENGTH]
    return dict.fromkeys((token, min(textnorm.stems(token), key=len)))


def score(token_counts_spam, token_counts_ham, docs_spam, docs_ham, tokens, *, min_documents=MIN_DOCUMENTS):
    """The probability (0 to 1) that a comment with ``tokens`` is spam, and the tokens that weighed most.

    ``token_counts_*`` map a token to how many learned comments of that label
    held it (missing means none); ``docs_*`` are how many comments were
    learned as each label. Returns (0.5, []) until both labels have
    ``min_documents``. Reasons are (token, weight) pairs, weight the token's
    log-odds: positive for spam, negative for ham, strongest first.
    """
    if min(docs_spam, docs_ham) < max(min_documents, 1):
        return 0.5, []
    clues = []
    for token in dict.fromkeys(tokens):
        spam = token_counts_spam.get(token) or 0
        ham = token_counts_ham.get(token) or 0
        # Negative counts (an unlearn without its learn) read as none.
        spam, ham = (spam if spam > 0 else 0), (ham if ham > 0 else 0)
        if spam or ham:
            probability = token_probability(spam, ham, docs_spam, docs_ham)
            deviation = abs(probability - 0.5)
            if deviation >= MIN_DEVIATION:
                clues.append((deviation, probability, token))
    if not clues:
        return 0.5, []
    # Most telling first; equal ones in a fixed order, so the reasons are stable.
    clues.sort(reverse=True)
    clues = clues[:MAX_CLUES]
    probabilities = [p for _, p, _ in clues]
    spamminess = 1.0 - _chi2_survival(-2.0 * sum(math.log1p(-p) for p in probabilities), 2 * len(clues))
    hamminess = 1.0 - _chi2_survival(-2.0 * sum(map(math.log, probabilities)), 2 * len(clues))
    reasons = [(token, round(math.log(p / (1.0 - p)), 2)) for _, p, token in clues[:REASONS]]
    return (1.0 + spamminess - hamminess) / 2.0, reasons


def token_probability(spam, ham, docs_spam, docs_ham):
    """How spammy one token is (``TOKEN_FLOOR`` to ``TOKEN_CEILING``), from the comments of each label that held it.

    Frequencies within each label, so that a site that learned far more spam
    than ham does not read every token as spammy; pulled towards 0.5 by the
    prior while few comments held it.
    """
    spam_frequency = spam / docs_spam
    raw = spam_frequency / (spam_frequency + ham / docs_ham)
    seen = spam + ham
    probability = (PRIOR_STRENGTH * 0.5 + seen * raw) / (PRIOR_STRENGTH + seen)
    return min(max(probability, TOKEN_FLOOR), TOKEN_CEILING)


def _chi2_survival(statistic, degrees):
    """P(X ≥ statistic) for X chi-squared with an even number of ``degrees`` of freedom."""
    half = statistic / 2.0
    term = total = math.exp(-half)
    for i in range(1, degrees // 2):
        term *= half / i
        total += term
    return min(total, 1.0)
