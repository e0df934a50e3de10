"""``flask --app wsgi …`` commands. They reach the same data as the running
service: with ``REDIS_URL`` unset, the instance folder's embedded server,
started for the command if it is not running and stopped again after it.
Each works on one site: ``--site KEY``, which may be left out while the
deployment has only one.
"""

import functools
import io
import json
import logging
import os
import signal
import socket
import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from . import accounts, commenters, erasure, exporting, importing, services, sites, threadkeys
from .errors import AlreadyDecided, CommentNotFound, LastAdmin, ModeratorExists, ModeratorNotFound
from .models import Decision, Role, Status
from .progress import Progress
from .records import Limits

logger = logging.getLogger(__name__)

comments = AppGroup("comments", help="Look at and decide queued comments.")
moderators = AppGroup("moderators", help="Manage moderator accounts.")
sites_group = AppGroup("sites", help="The sites this deployment serves.")
commenters_group = AppGroup("commenters", help="One commenter's data: hand it over, or erase it.")


def with_redis(command):
    """Run ``command`` on one site (``--site``) with Redis reachable, starting the embedded server if needed."""

    @functools.wraps(command)
    @click.option("--site", "site_key", metavar="KEY", help="The site to work on (needed when there are several).")
    @with_appcontext
    def wrapper(*args, site_key=None, **kwargs):
        sites.use(choose_site(site_key))
        return with_embedded_redis(command, *args, **kwargs)

    return wrapper


def with_embedded_redis(command, *args, **kwargs):
    embedded = current_app.extensions.get("embedded_redis")
    started = embedded is not None and embedded.start()
    try:
        return command(*args, **kwargs)
    finally:
        if started:
            embedded.stop()


def choose_site(key):
    every = sites.every()
    keys = ", ".join(site.key for site in every)
    if key is None:
        if len(every) == 1:
            return next(iter(every))
        raise click.UsageError(f"this deployment serves several sites; say which with --site ({keys})")
    site = every.get(key)
    if site is None:
        raise click.UsageError(f"no site {key!r}; the sites are {keys}")
    return site


@comments.command("pending")
@with_redis
def pending_command():
    """Print how many comments wait for a decision."""
    click.echo(f"{services.store().pending_count()} pending")


@comments.command("purge")
@click.option("--days", type=click.IntRange(min=0), help="Retention in days; default: the RETENTION_DAYS setting.")
@with_redis
def purge_command(days):
    """Delete comments rejected longer ago than the retention period. Approved ones stay published."""
    days = current_app.config["RETENTION_DAYS"] if days is None else days
    if days < 0:  # a cutoff in the future would delete every rejected comment
        raise click.ClickException(f"RETENTION_DAYS must be 0 or more, not {days}")
    if days == 0:
        click.echo("retention is off (0 days): nothing deleted")
        forget_addresses()
        return
    deleted = services.store().purge_decided(services.now_ms() - days * 24 * 3600 * 1000)
    logger.info("%d comments rejected more than %d days ago deleted (retention)", deleted, days)
    click.echo(f"{deleted} rejected {'comment' if deleted == 1 else 'comments'} older than {days} days deleted")
    forget_addresses()


def forget_addresses():
    days = current_app.config["IP_RETENTION_DAYS"]
    if days <= 0:
        return
    looked = sites.current().commenters.forget_addresses(services.now_ms() - days * 24 * 3600 * 1000)
    logger.info("client addresses of comments decided more than %d days ago forgotten (%d looked at)", days, looked)
    click.echo(f"client addresses and browsers of comments decided more than {days} days ago forgotten")


def decide_command(decision):
    @click.argument("comment_id", type=int)
    @click.option("--moderator", default="cli", show_default=True, help="Name recorded in the audit log.")
    @with_redis
    def command(comment_id, moderator):
        try:
            services.store().decide(comment_id, decision, moderator, services.now_ms(), force=True)
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


@comments.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(importing.FORMATS),
              help="wxr (WordPress), disqus or jsonl (this service's export)  [default: guessed from the file]")
@click.option("--dry-run", is_flag=True, help="Read the whole file and print the report; write nothing.")
@click.option("--site-url", default="", metavar="URL",
              help="The old site's address; --thread-key path takes each article's path below it.")
@click.option("--thread-key", "rule", type=click.Choice(threadkeys.RULES), default="post-id", show_default=True,
              help="How an article's thread key is made: as its pages pass it to embed.js (README).")
@click.option("--pingbacks", is_flag=True, help="Import pingbacks and trackbacks too, with their status.")
@click.option("--moderator", default="cli", show_default=True, help="Name recorded in the audit log.")
@with_redis
def import_command(file, *, fmt, dry_run, site_url, rule, pingbacks, moderator):
    """Import comments from a WordPress (WXR) or Disqus export, or from this service's JSON Lines.

    Importing the same file again adds nothing; a file whose import stopped halfway can be imported again.
    Exits with status 1 when a record was refused or the file breaks off (the rest is imported).
    """
    fmt = fmt or importing.guess_format(file)
    if fmt is None:
        raise click.ClickException(f"{file}: not a WordPress (WXR), Disqus or JSON Lines export; "
                                   "say which with --format if it is one")
    config = current_app.config
    limits = Limits(comment=config["COMMENT_MAX_LENGTH"], author=config["AUTHOR_MAX_LENGTH"],
                    url=config["URL_MAX_LENGTH"])
    store = sites.current().transfer
    now = services.now_ms()
    run = importing.Run(store, fmt, threadkeys.ThreadKeys(rule, site_url), limits, now_ms=now, dry_run=dry_run,
                        pingbacks=pingbacks, progress=Progress("import" if not dry_run else "dry run"))
    report = run.run(file)
    if not dry_run:
        importing.audit(store, report, moderator, file, now)
    print_report(report, file, dry_run)
    if not report.ok:
        sys.exit(1)


def print_report(report, file, dry_run):
    name = os.path.basename(file)
    verb = "would import" if dry_run else "imported"
    statuses = ", ".join(f"{report.imported[s]:,} {s}" for s in Status if report.imported[s]) or "none"
    click.echo(f"{name} ({report.format}): {verb} {report.total:,} comments in {len(report.threads):,} threads "
               f"({statuses})")
    click.echo(f"  already imported before: {report.already_imported:,}")
    click.echo(f"  replies whose parent is not in the file, {'to be ' if dry_run else ''}made top-level: "
               f"{len(report.orphans):,}")
    for line, source in report.orphans[:20]:
        click.echo(f"    line {line}: {source}")
    for kind, count in sorted(report.skipped.items()):
        click.echo(f"  skipped ({kind or 'no type'}): {count:,}")
    if report.refused:
        click.echo(f"  refused: {len(report.refused):,}")
        for refused in report.refused[:100]:
            click.echo(f"    line {refused.line}{f' ({refused.source})' if refused.source else ''}: "
                       f"{refused.reason}")
        if len(report.refused) > 100:
            click.echo(f"    … and {len(report.refused) - 100:,} more")
    if report.file_error is not None:
        click.echo(f"error: {name}, {report.file_error}", err=True)
        click.echo("  what came before that point is imported; mend the file and import it again: "
                   "what was imported is not imported twice", err=True)


def split_statuses(ctx, param, values):
    chosen = [s.strip() for value in values for s in value.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in set(Status)]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}: the statuses are {', '.join(Status)}")
    return chosen


@comments.command("export")
@click.option("--format", "fmt", type=click.Choice(exporting.FORMATS), default="jsonl", show_default=True,
              help="jsonl: everything a moderator sees, for backups and other tools; wxr: for WordPress.")
@click.option("--thread", metavar="KEY", help="Only this thread's comments.")
@click.option("--status", "statuses", multiple=True, callback=split_statuses, metavar="STATUS[,STATUS]",
              help="Only comments with these statuses (pending, approved, rejected, spam).")
@click.option("--site-url", default="", metavar="URL", help="The site's address, for the WXR channel.")
@click.option("--moderator", default="cli", show_default=True, help="Name recorded in the audit log.")
@with_redis
def export_command(fmt, thread, statuses, site_url, moderator):
    """Write the site's comments to standard output: `comments export > FILE`."""
    site = sites.current()
    chosen = exporting.Filter(thread, statuses)
    sys.stdout.flush()
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
    progress = Progress("export")
    try:
        if fmt == "jsonl":
            written = exporting.export_jsonl(site.transfer, site.key, out, chosen, progress=progress)
        else:
            hosts = site.settings.hosts
            written = exporting.export_wxr(site, site_url or (f"https://{hosts[0]}" if hosts else ""), out, chosen,
                                           progress=progress)
    finally:
        out.flush()
        out.detach()
    site.transfer.audit("exported", moderator, services.now_ms(),
                        {"format": fmt, "counts": f"{written}", "thread": thread or "",
                         "reason": ",".join(statuses)})
    logger.info("export (%s) by %s: %d comments", fmt, moderator, written)


def read_password(from_stdin):
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@moderators.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MODERATOR.value,
              show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (one line).")
@with_redis
def create_command(name, role, password_stdin):
    """Create a moderator account."""
    try:
        accounts.create_moderator(name, read_password(password_stdin), Role(role), actor="cli")
    except accounts.InvalidAccount as error:
        raise click.ClickException(str(error)) from error
    except ModeratorExists as error:
        raise click.ClickException(f"a moderator named {name} exists already") from error
    click.echo(f"moderator {name} created ({role})")


@moderators.command("list")
@with_redis
def list_command():
    """List moderator accounts."""
    for moderator in accounts.list_moderators():
        created = moderator.created_at.strftime("%Y-%m-%d %H:%M") if moderator.created_at else ""
        click.echo(f"{moderator.name}\t{moderator.role}\t{created}")


@moderators.command("remove")
@click.argument("name")
@with_redis
def remove_command(name):
    """Remove a moderator account (never the last admin)."""
    try:
        accounts.remove_moderator(name, actor="cli")
    except ModeratorNotFound as error:
        raise click.ClickException(f"no moderator named {name}") from error
    except LastAdmin as error:
        raise click.ClickException(f"{name} is the last admin; create another admin first") from error
    click.echo(f"moderator {name} removed")


@moderators.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (one line).")
@with_redis
def set_password_command(name, password_stdin):
    """Change a moderator's password; their open sessions end."""
    try:
        accounts.set_password(name, read_password(password_stdin), actor="cli")
    except accounts.InvalidAccount as error:
        raise click.ClickException(str(error)) from error
    except ModeratorNotFound as error:
        raise click.ClickException(f"no moderator named {name}") from error
    click.echo(f"password of {name} changed")


@moderators.command("setup-link")
@click.option("--base-url", help="Where the site is served  [default: http://its first host, or 127.0.0.1:5000]")
@with_redis
def setup_link_command(base_url):
    """Print a new one-time link to create the site's first admin (only while none exists)."""
    token = accounts.issue_setup_token()
    if token is None:
        raise click.ClickException("a moderator exists already; use `moderators create`")
    hosts = sites.current().settings.hosts
    base_url = base_url or (f"https://{hosts[0]}" if hosts else "http://127.0.0.1:5000")
    click.echo(f"{base_url.rstrip('/')}/moderate/setup?token={token}")


@commenters_group.command("export")
@click.argument("email")
@click.option("--moderator", default="cli", show_default=True, help="Name recorded in the audit log.")
@with_redis
def commenter_export_command(email, moderator):
    """Print, as JSON, every comment of EMAIL (all statuses, every field) and its subscriptions."""
    found = commenters.export(email, moderator)
    click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    click.echo(f"{len(found['comments'])} comments of that address", err=True)


@commenters_group.command("erase")
@click.argument("email")
@click.option("--keep-text", is_flag=True, help="Keep the texts, as 'Deleted', without email, IP, browser or website.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--moderator", default="cli", show_default=True, help="Name recorded in the audit log.")
@with_redis
def commenter_erase_command(email, keep_text, yes, moderator):
    """Erase every comment of EMAIL, its pending and trust records and what the spool holds of it.

    The same job as the console's, run here in the foreground with its progress; stopped, it goes on
    where it was (run this again, or a worker takes it over). While a worker runs it, this follows it."""
    if not yes:
        click.confirm(f"{'Strip' if keep_text else 'Erase'} every comment of {email}?", abort=True, err=True)
    job, started = erasure.request(email, moderator, keep_text=keep_text)
    if not started:
        click.echo("an erasure of that address is already under way; going on with it", err=True)
    progress = Progress("erase", total=erasure.last_id())
    job = erasure.run(job.subject, f"cli-{socket.gethostname()}-{os.getpid()}", progress=progress)
    done = "stripped" if job.keep_text else "erased"
    click.echo(f"{job.erased} {'comment' if job.erased == 1 else 'comments'} {done}")


@sites_group.command("list")
@with_appcontext
def list_sites_command():
    """List the sites: key, name, host names, Redis Cluster slot and the node that holds it."""

    def show():
        for site in sites.every():
            node = services.site_node(site)
            hosts = " ".join(site.settings.hosts) or "(any host)"
            click.echo(f"{site.key}\t{site.name}\t{hosts}\tslot {services.site_slot(site)}"
                       + (f"\t{node}" if node else ""))

    with_embedded_redis(show)


@click.command("worker")
@with_appcontext
def worker_command():
    """Follow every site's events and send what they call for (mail). Stops on SIGTERM or Ctrl-C,
    after the event at hand; what it had not finished waits for the next worker."""
    from .notify.worker import Worker

    worker = Worker(current_app._get_current_object())
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    if not current_app.config.get("SMTP_URL"):
        logger.warning("SMTP_URL is not set: mail is off; the worker acknowledges events without sending")
    with_embedded_redis(worker.run)


def init_app(app):
    app.cli.add_command(worker_command)
    app.cli.add_command(comments)
    app.cli.add_command(moderators)
    app.cli.add_command(sites_group)
    app.cli.add_command(commenters_group)
