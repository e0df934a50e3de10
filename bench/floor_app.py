"""The floors: the indispensable part of a submission and of an approval, and nothing else.

- ``POST /threads/<thread>`` (the submit floor): parse the comment form's
  fields, verify the form token (itsdangerous, signed as the service signs
  it), and run one EVALSHA that writes the comment hash, sets its bit in a
  pending bitmap and appends one stream event; answer 303.
- ``POST /moderate/comments/<id>/approve`` (the approve floor): read a
  session id from a cookie, load the session with one GET, check the form's
  CSRF value against it, and run one EVALSHA that moves the comment from
  pending to approved (its hash, the bitmap, the thread's published sorted
  set, an event); answer 303.

Served by gunicorn with the project's settings, against a redis-server of
its own started by the bench like the service's embedded one (the same
binary and ``queue/redis.conf``, ``appendfsync always``), whose unix socket
is ``FLOOR_REDIS_SOCKET``. What this service does beyond these is what it
does for moderators and readers beyond the minimum: its ratio to the floor
is the price of that.
"""

import hmac
import os
import time

import redis
from flask import Flask, abort, redirect, request
from itsdangerous import BadData, URLSafeTimedSerializer

FIELDS = ("comment", "author", "email", "url", "remember", "parent", "token")
# The service's form tokens (moderation/forms.py): the same secret and salt, so the same request files serve both.
TOKEN_SALT = "comment-form-token"
TOKEN_MAX_AGE_SECONDS = 2 * 24 * 3600
SESSION_COOKIE = "floor_session"
PREFIX = "floor:"

SUBMIT = """
local id = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2] .. id, 'thread', ARGV[1], 'author', ARGV[2], 'email', ARGV[3], 'url', ARGV[4],
  'body', ARGV[5], 'status', 'pending', 'created_at', ARGV[6])
redis.call('SETBIT', KEYS[3], id, 1)
redis.call('XADD', KEYS[4], 'MAXLEN', '~', 100000, '*', 'type', 'submitted', 'id', id)
return id
"""
APPROVE = """
local key = KEYS[1] .. ARGV[1]
local c = redis.call('HMGET', key, 'status', 'thread', 'created_at')
if c[1] ~= 'pending' then
  return 0
end
redis.call('HSET', key, 'status', 'approved', 'decided_by', ARGV[2], 'decided_at', ARGV[3])
redis.call('SETBIT', KEYS[2], ARGV[1], 0)
redis.call('ZADD', KEYS[3] .. c[2] .. ':published', c[3], ARGV[1])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', 100000, '*', 'type', 'approved', 'id', ARGV[1])
return 1
"""

app = Flask(__name__)
client = redis.Redis(unix_socket_path=os.environ.get("FLOOR_REDIS_SOCKET", "/nonexistent"), decode_responses=True)
submit_script = client.register_script(SUBMIT)
approve_script = client.register_script(APPROVE)
tokens = URLSafeTimedSerializer(os.environ.get("SECRET_KEY", ""), salt=TOKEN_SALT)


@app.post("/threads/<thread>")
def submit(thread):
    values = {name: request.form.get(name, "") for name in FIELDS}
    try:
        payload = tokens.loads(values["token"], max_age=TOKEN_MAX_AGE_SECONDS)
    except BadData:
        abort(400)
    if not values["comment"] or not isinstance(payload, dict) or payload.get("t") != thread:
        abort(400)
    submit_script(keys=[PREFIX + "next-id", PREFIX + "comment:", PREFIX + "pending", PREFIX + "events"],
                  args=[thread, values["author"], values["email"], values["url"], values["comment"],
                        str(int(time.time() * 1000))])
    return redirect(f"/threads/{thread}", 303)


@app.post("/moderate/comments/<int:comment_id>/approve")
def approve(comment_id):
    session = client.get(PREFIX + "session:" + request.cookies.get(SESSION_COOKIE, ""))
    if session is None:
        abort(401)
    name, _, csrf = session.partition("\n")
    if not hmac.compare_digest(csrf, request.form.get("csrf_token", "")):
        abort(400)
    approve_script(keys=[PREFIX + "comment:", PREFIX + "pending", PREFIX + "thread:", PREFIX + "events"],
                   args=[comment_id, name, str(int(time.time() * 1000))])
    return redirect(request.form.get("next") or "/moderate/", 303)


def seed(socket_path, count, session_id, csrf, moderator="bench"):
    """``count`` pending comments (ids 1..count) and one moderator session, for the approve floor."""
    seeder = redis.Redis(unix_socket_path=socket_path, decode_responses=True)
    try:
        with seeder.pipeline(transaction=False) as pipe:
            for comment_id in range(1, count + 1):
                pipe.hset(f"{PREFIX}comment:{comment_id}", mapping={
                    "thread": f"article-{comment_id % 8}", "author": "seed", "email": "seed@example.com",
                    "body": "a pending comment", "status": "pending", "created_at": str(comment_id)})
                pipe.setbit(PREFIX + "pending", comment_id, 1)
                if len(pipe) >= 2000:
                    pipe.execute()
            pipe.set(PREFIX + "next-id", count)
            pipe.set(f"{PREFIX}session:{session_id}", f"{moderator}\n{csrf}")
            pipe.execute()
    finally:
        seeder.close()
