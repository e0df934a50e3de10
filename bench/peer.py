"""The peer: Isso 0.14 from PyPI, in the bench's own venv, set up as a moderated site.

Isso runs under gunicorn with this service's settings, moderation on and
its rate limits relaxed (every request comes from 127.0.0.1, which its
guard would otherwise stop after two comments a minute). Its comments are
created through its own JSON API; the thread that is read is then approved
with the statement Isso's own ``activate`` runs.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(BENCH_DIR, ".venv-isso")
REQUIREMENTS = os.path.join(BENCH_DIR, "requirements-isso.txt")
INSTALL_TIMEOUT_SECONDS = 600

CONFIG = """\
[general]
dbpath = {dbpath}
# Isso checks at start that it can reach the site; a closed local port makes that fail at once.
host = http://127.0.0.1:{site_port}/
gravatar = false

[moderation]
enabled = true

[guard]
enabled = true
ratelimit = 1000000000
direct-reply = 1000000000
reply-to-self = true
require-author = true
require-email = true
"""


class PeerUnavailable(RuntimeError):
    """Isso could not be installed or started."""


def requirements_digest():
    with open(REQUIREMENTS, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def install(venv=VENV):
    """Create the venv unless it holds exactly the pinned requirements already; returns its path."""
    marker = os.path.join(venv, ".requirements")
    digest = requirements_digest()
    try:
        with open(marker) as f:
            if f.read().strip() == digest:
                return venv
    except FileNotFoundError:
        pass
    shutil.rmtree(venv, ignore_errors=True)
    for command in ([sys.executable, "-m", "venv", venv],
                    [os.path.join(venv, "bin", "pip"), "install", "--quiet", "-r", REQUIREMENTS]):
        run = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS, check=False)
        if run.returncode != 0:
            raise PeerUnavailable(f"{' '.join(command[:3])} failed: {(run.stderr or run.stdout).strip()[-2000:]}")
    with open(marker, "w") as f:
        f.write(digest + "\n")
    return venv


def version(venv):
    run = subprocess.run([os.path.join(venv, "bin", "python"), "-c",
                          "import importlib.metadata as m; print(m.version('isso'))"],
                         capture_output=True, text=True, check=False)
    return run.stdout.strip() or "unknown"


def write_config(folder, site_port):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "isso.cfg")
    with open(path, "w") as f:
        f.write(CONFIG.format(dbpath=os.path.join(folder, "comments.db"), site_port=site_port))
    return path


def new_path(uri):
    return "/new?" + urllib.parse.urlencode({"uri": uri})


def comment_json(submission, title, parent=None):
    """What Isso's client sends for one comment (its website field needs a scheme)."""
    website = submission.url
    if website and "://" not in website:
        website = "https://" + website
    data = {"text": submission.comment, "author": submission.author, "email": submission.email,
            "website": website or None, "title": title}
    if parent is not None:
        data["parent"] = parent
    return json.dumps(data, ensure_ascii=False)


def post_comment(base_url, uri, body):
    request = urllib.request.Request(base_url + new_path(uri), data=body.encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["id"]


def seed_thread(base_url, uri, title, corpus, *, count, reply_share=0.2):
    """``count`` comments on ``uri`` through Isso's API, a share of them replies; returns their ids."""
    roots = count - int(count * reply_share)
    root_ids = [post_comment(base_url, uri, comment_json(corpus.submission(), title)) for _ in range(roots)]
    reply_ids = [post_comment(base_url, uri, comment_json(corpus.submission(), title, corpus.choice(root_ids)))
                 for _ in range(count - roots)]
    return root_ids + reply_ids


def activate(folder, ids):
    """Approve comments with the statement of Isso's ``Comments.activate``."""
    with sqlite3.connect(os.path.join(folder, "comments.db"), timeout=30) as db:
        db.executemany("UPDATE comments SET mode=1 WHERE id=? AND mode=2", [(i,) for i in ids])
