"""``flask --app wsgi moderators …`` and ``comments …`` commands."""

import time

import pytest

from moderation.models import Decision, NewComment

from .conftest import PASSWORD


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_cli_purge_deletes_comments_rejected_before_the_retention_period(app, runner, store):
    old, recent = (store.submit(NewComment(thread="t", author="a", email="a@example.com", body=body),
                                nonce=body, now_ms=1).id for body in ("old", "recent"))
    now = int(time.time() * 1000)
    store.decide(old, Decision.REJECT, "mona", now_ms=now - 91 * 24 * 3600 * 1000)
    store.decide(recent, Decision.REJECT, "mona", now_ms=now - 89 * 24 * 3600 * 1000)
    result = runner.invoke(args=["comments", "purge"])  # RETENTION_DAYS: 90 by default
    assert result.exit_code == 0, result.output
    assert "1 rejected comment older than 90 days deleted" in result.output
    assert store.get(old) is None and store.get(recent) is not None
    assert "retention is off" in runner.invoke(args=["comments", "purge", "--days", "0"]).output
    assert store.get(recent) is not None
    assert runner.invoke(args=["comments", "purge", "--days", "30"]).exit_code == 0
    assert store.get(recent) is None


def test_cli_purge_refuses_a_negative_retention(make_app, store):
    rejected = store.submit(NewComment(thread="t", author="a", email="a@example.com", body="b"), nonce="n", now_ms=1).id
    store.decide(rejected, Decision.REJECT, "mona", now_ms=int(time.time() * 1000))
    result = make_app(RETENTION_DAYS=-1).test_cli_runner().invoke(args=["comments", "purge"])
    assert result.exit_code == 1 and "must be 0 or more" in result.output
    assert store.get(rejected) is not None


def test_cli_moderators_create_list_remove(runner, redis_client):
    result = runner.invoke(args=["moderators", "create", "ali", "--role", "admin", "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["moderators", "create", "mona", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0
    listed = runner.invoke(args=["moderators", "list"]).output.splitlines()
    assert [line.split("\t")[:2] for line in listed] == [["ali", "admin"], ["mona", "moderator"]]
    assert PASSWORD not in result.output
    assert runner.invoke(args=["moderators", "remove", "mona"]).exit_code == 0
    assert redis_client.hkeys("cm:{main}:moderators") == ["ali"]


def test_cli_create_prompts_twice_hidden(runner, redis_client):
    result = runner.invoke(args=["moderators", "create", "sara"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output
    assert PASSWORD not in result.output
    assert redis_client.hget("cm:{main}:moderators", "sara") == "moderator"


def test_cli_create_refuses_short_password_and_taken_name(runner):
    result = runner.invoke(args=["moderators", "create", "ali", "--password-stdin"], input="short\n")
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output
    runner.invoke(args=["moderators", "create", "ali", "--password-stdin"], input=PASSWORD + "\n")
    result = runner.invoke(args=["moderators", "create", "ali", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 1
    assert "exists already" in result.output


def test_cli_remove_never_the_last_admin(runner):
    runner.invoke(args=["moderators", "create", "ali", "--role", "admin", "--password-stdin"], input=PASSWORD + "\n")
    result = runner.invoke(args=["moderators", "remove", "ali"])
    assert result.exit_code == 1
    assert "last admin" in result.output


def test_cli_set_password(runner, app, redis_client):
    runner.invoke(args=["moderators", "create", "ali", "--password-stdin"], input=PASSWORD + "\n")
    before = redis_client.hget("cm:{main}:moderator:ali", "password")
    result = runner.invoke(args=["moderators", "set-password", "ali", "--password-stdin"],
                           input="another long password\n")
    assert result.exit_code == 0
    assert redis_client.hget("cm:{main}:moderator:ali", "password") != before
    assert runner.invoke(args=["moderators", "set-password", "nobody", "--password-stdin"],
                         input="another long password\n").exit_code == 1


def test_cli_setup_link_only_while_no_moderator(runner):
    result = runner.invoke(args=["moderators", "setup-link"])
    assert result.exit_code == 0
    assert "/moderate/setup?token=" in result.output
    runner.invoke(args=["moderators", "create", "ali", "--password-stdin"], input=PASSWORD + "\n")
    assert runner.invoke(args=["moderators", "setup-link"]).exit_code == 1


def test_cli_comments_pending_and_approve(runner, store):
    comment_id = store.submit(NewComment(thread="t", author="a", email="a@example.com", body="b"),
                                 nonce="n", now_ms=1).id
    assert runner.invoke(args=["comments", "pending"]).output.strip() == "1 pending"
    assert runner.invoke(args=["comments", "approve", str(comment_id)]).exit_code == 0
    assert [c.id for c in store.published("t")] == [comment_id]
