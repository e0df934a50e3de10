"""A moderator for the queue figures: created with the CLI, logged in through the login page.

wrk then replays the session cookie and the CSRF token that a browser would
hold after logging in.
"""

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request

from moderation import PROJECT_ROOT

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
COOKIE = "moderation"


class ConsoleError(RuntimeError):
    """The moderator could not be created or could not log in."""


def create_moderator(environ, name, password):
    """``flask --app wsgi moderators create NAME --role admin --password-stdin``, with the server's instance."""
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    run = subprocess.run(
        [flask, "--app", "wsgi", "moderators", "create", name, "--role", "admin", "--password-stdin"],
        input=password + "\n", env=environ, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
        check=False)
    if run.returncode != 0:
        raise ConsoleError(f"moderators create failed: {run.stderr.strip() or run.stdout.strip()}")


def csrf_token(page):
    match = CSRF.search(page)
    if not match:
        raise ConsoleError("no csrf_token in the page")
    return match.group(1) or match.group(2)


def log_in(base_url, name, password):
    """Log in as a browser would; returns (Cookie header, CSRF token of the session)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base_url}/moderate/login", timeout=30) as response:
        token = csrf_token(response.read().decode())
    form = urllib.parse.urlencode({"username": name, "password": password, "csrf_token": token}).encode()
    # The 303 leads to the queue, whose forms carry the token approve requests need.
    with opener.open(f"{base_url}/moderate/login", form, timeout=30) as response:
        if not response.url.rstrip("/").endswith("/moderate"):
            raise ConsoleError(f"login did not lead to the queue but to {response.url}")
        token = csrf_token(response.read().decode())
    cookies = [c for c in jar if c.name == COOKIE]
    if not cookies:
        raise ConsoleError("no session cookie after logging in")
    return f"{COOKIE}={cookies[0].value}", token
