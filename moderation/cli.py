"""``flask --app wsgi …`` commands. They reach the same data as the running
service: with ``REDIS_URL`` unset, the instance folder's embedded server,
started for the command if it is not running and stopped again after it.
"""

import functools

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from . import services
from .errors import AlreadyDecided, CommentNotFound
from .models import Decision

comments = AppGroup("comments", help="Look at and decide queued comments.")


def with_redis(command):
    """Run ``command`` with Redis reachable, starting the embedded server if needed."""

    @functools.wraps(command)
    @with_appcontext
    def wrapper(*args, **kwargs):
        embedded = current_app.extensions.get("embedded_redis")
        started = embedded is not None and embedded.start()
        try:
            return command(*args, **kwargs)
        finally:
            if started:
                embedded.stop()

    return wrapper


@comments.command("pending")
@with_redis
def pending_command():
    """Print how many comments wait for a decision."""
    click.echo(f"{services.store().pending_count()} pending")


def decide_command(decision):
    @click.argument("comment_id", type=int)
    @click.option("--moderator", default="cli", show_default=True, help="Name recorded in the audit log.")
    @with_redis
    def command(comment_id, moderator):
        try:
            services.store().decide(comment_id, decision, moderator, services.now_ms())
        except CommentNotFound as error:
            raise click.ClickException(f"no comment {comment_id}") from error
        except AlreadyDecided as error:
            raise click.ClickException(
                f"comment {comment_id} was already {error.status} by {error.decided_by} at {error.decided_at}"
            ) from error
        click.echo(f"comment {comment_id} {decision}")

    return command


comments.command("approve", help="Approve a pending comment.")(decide_command(Decision.APPROVE))
comments.command("reject", help="Reject a pending comment.")(decide_command(Decision.REJECT))


def init_app(app):
    app.cli.add_command(comments)
