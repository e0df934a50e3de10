"""The requests each run sends, written to the files ``rotate.lua`` reads.

One request a line: METHOD, PATH and BODY separated by tabs. Form bodies are
URL-encoded and JSON escapes its control characters, so no body holds a tab
or a newline.
"""

import secrets
import urllib.parse

import peer

from moderation.forms import token_serializer


def thread_path(thread):
    """The thread page's path; Arabic keys percent-encoded, as WordPress does."""
    return "/threads/" + urllib.parse.quote(thread, safe="")


def form_fields(submission, email):
    """The comment form as a browser sends it, without the token (an unticked box is not sent)."""
    fields = [("comment", submission.comment), ("author", submission.author), ("email", email),
              ("url", submission.url)]
    if submission.remember:
        fields.append(("remember", "y"))
    fields.append(("parent", ""))
    return urllib.parse.urlencode(fields)


class TokenMint:
    """Form tokens as the service signs them (``SignedFormToken``): thread and a fresh nonce."""

    def __init__(self, secret_key):
        self.serializer = token_serializer(secret_key)

    def __call__(self, thread):
        return self.serializer.dumps({"t": thread, "n": secrets.token_urlsafe(16)})


def write_form_posts(path, corpus, threads, *, count, mint, commenters, variety=2000):
    """``count`` comment form posts over ``threads``, each with a token of its own.

    Texts repeat (from a pool of ``variety``), but each post comes from the
    next of the ``commenters`` (an iterator of addresses): the service
    refuses the same text from the same address on one thread as a duplicate.
    """
    forms = []
    for _ in range(min(count, variety)):
        thread = corpus.choice(threads)
        forms.append((thread, thread_path(thread), corpus.submission()))
    with open(path, "w", encoding="utf-8") as f:
        for i in range(count):
            thread, target, submission = forms[i % len(forms)]
            token = urllib.parse.quote(mint(thread), safe="")
            f.write(f"POST\t{target}\t{form_fields(submission, next(commenters))}&token={token}\n")


def write_isso_posts(path, corpus, uris, count):
    """``count`` new comments through Isso's API over ``uris``."""
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(count):
            uri = corpus.choice(uris)
            f.write(f"POST\t{peer.new_path(uri)}\t{peer.comment_json(corpus.submission(), uri)}\n")


def write_gets(path, targets):
    with open(path, "w", encoding="utf-8") as f:
        for target in targets:
            f.write(f"GET\t{target}\t\n")


def write_approvals(path, comment_ids, csrf_token, back="/moderate/"):
    """One approve form post per comment, as the queue page's Approve button sends it."""
    fields = urllib.parse.urlencode({"csrf_token": csrf_token, "next": back})
    with open(path, "w", encoding="utf-8") as f:
        for comment_id in comment_ids:
            f.write(f"POST\t/moderate/comments/{comment_id}/approve\t{fields}\n")
