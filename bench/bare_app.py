"""The framework's ceiling: a bare Flask app that parses the comment form and answers 303.

It does what every Flask form view must do and nothing more: read the same
WordPress field names from the request body and redirect back to the
thread. Served by gunicorn with the project's settings, its throughput is
the most this service could reach on this machine.
"""

from flask import Flask, redirect, request, url_for

FIELDS = ("comment", "author", "email", "url", "remember", "parent", "token")

app = Flask(__name__)


@app.post("/threads/<thread>")
def thread(thread):
    values = {name: request.form.get(name, "") for name in FIELDS}
    if not values["comment"]:
        return "comment required", 400
    return redirect(url_for("thread", thread=thread), 303)
