"""``flask --app wsgi comments export``: JSON Lines that restore a site, and WXR that goes back to WordPress."""

import json

import pytest
from lxml import etree

from moderation.models import Decision, NewComment

from .test_import import THEME, comments_of, needs_samples, published, run_import, wxr_comment, wxr_file, wxr_item

WP = "{http://wordpress.org/export/1.2/}"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def export(runner, *options):
    result = runner.invoke(args=["comments", "export", *options])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def mixed_site(runner, store, tmp_path):
    """Imported comments of every status, a deleted placeholder, and comments readers sent and moderators decided."""
    path = wxr_file(tmp_path / "export.xml", [wxr_item(1, [
        wxr_comment(1, "approved <b>one</b>", author="نور"), wxr_comment(2, "pending", approved="0"),
        wxr_comment(3, "spam", approved="spam"), wxr_comment(4, "trash", approved="trash"),
        wxr_comment(5, "reply", parent=1)])])
    assert run_import(runner, path).exit_code == 0
    sent = [store.submit(NewComment(thread="مقال", author="Sami سامي", email="s@example.com", body=f"native {n}",
                                    ip="198.51.100.4"), nonce=f"n{n}", now_ms=1_700_000_000_000 + n).id
            for n in range(3)]
    store.decide(sent[0], Decision.APPROVE, "mona", 1_700_000_100_000, body="native 0, edited")
    store.decide(sent[1], Decision.REJECT, "mona", 1_700_000_100_001, reason="off-topic")
    return sent


def test_export_jsonl_round_trip_gives_the_same_lines(runner, store, redis_client, tmp_path):
    mixed_site(runner, store, tmp_path)
    first = export(runner)
    rows = [json.loads(line) for line in first.splitlines()]
    assert len(rows) == 8
    edited = next(r for r in rows if r["body"] == "native 0, edited")
    assert edited["edited_by"] == "mona" and edited["decided_by"] == "mona" and edited["email"] == "s@example.com"
    assert next(r for r in rows if r.get("reason") == "off-topic")["status"] == "rejected"
    assert {r["status"] for r in rows} == {"approved", "pending", "rejected", "spam"}
    backup = tmp_path / "backup.jsonl"
    backup.write_text(first, encoding="utf-8")
    redis_client.flushall()
    result = run_import(runner, backup)
    assert result.exit_code == 0, result.output
    assert "imported 8 comments" in result.output
    assert export(runner) == first
    assert "imported 0 comments" in run_import(runner, backup).output  # and once only


def test_export_jsonl_restore_keeps_the_queue_the_pages_and_the_wordpress_keys(runner, client, store, redis_client,
                                                                            tmp_path):
    mixed_site(runner, store, tmp_path)
    before = published(client, "1"), published(client, "مقال")
    backup = tmp_path / "backup.jsonl"
    backup.write_text(export(runner), encoding="utf-8")
    redis_client.flushall()
    assert run_import(runner, backup).exit_code == 0
    assert (published(client, "1"), published(client, "مقال")) == before
    assert int(redis_client.get(store.keys.pending_count)) == 2
    # The WordPress comments restored still know where they came from: their WXR adds nothing.
    again = wxr_file(tmp_path / "again.xml", [wxr_item(1, [wxr_comment(1, "approved <b>one</b>")])])
    assert "already imported before: 1" in run_import(runner, again).output


def test_export_filters_by_thread_and_status(runner, store, tmp_path):
    mixed_site(runner, store, tmp_path)
    rows = [json.loads(line) for line in export(runner, "--thread", "مقال", "--status", "approved,rejected")
            .splitlines()]
    assert [(r["thread"], r["status"]) for r in rows] == [("مقال", "approved"), ("مقال", "rejected")]
    assert len(export(runner, "--status", "spam").splitlines()) == 1
    result = runner.invoke(args=["comments", "export", "--status", "gone"])
    assert result.exit_code == 2 and "the statuses are pending, approved, rejected, spam" in result.output


def test_export_wxr_as_wordpress_reads_it(runner, store, redis_client, tmp_path):
    mixed_site(runner, store, tmp_path)
    text = export(runner, "--format", "wxr", "--site-url", "https://news.example")
    root = etree.fromstring(text.encode())
    channel = root.find("channel")
    assert channel.findtext(f"{WP}wxr_version") == "1.2"
    items = {item.findtext(f"{WP}post_name"): item for item in channel.findall("item")}
    assert set(items) == {"post", "مقال"}
    post = items["post"]
    assert post.findtext(f"{WP}post_id") == "1" and post.findtext("link") == "https://news.example/post/"
    statuses = sorted(c.findtext(f"{WP}comment_approved") for item in items.values()
                      for c in item.findall(f"{WP}comment"))
    assert statuses == ["0", "0", "1", "1", "1", "spam", "trash", "trash"]
    reply = next(c for c in post.findall(f"{WP}comment") if c.findtext(f"{WP}comment_content") == "reply")
    assert reply.findtext(f"{WP}comment_parent") != "0"
    # And it comes back in: into an empty site, the same comments, statuses and threads.
    exported = tmp_path / "exported.xml"
    exported.write_text(text, encoding="utf-8")
    before = sorted((c["thread"], c["status"], c["body"]) for c in comments_of(redis_client).values())
    redis_client.flushall()
    assert run_import(runner, exported, "--thread-key", "slug").exit_code == 0
    after = sorted((c["thread"], c["status"], c["body"]) for c in comments_of(redis_client).values())
    assert after == [(t if t != "1" else "post", s, b) for t, s, b in before]


@needs_samples
def test_export_streams_every_comment_of_the_theme_data(runner, redis_client):
    assert run_import(runner, THEME).exit_code == 0
    lines = export(runner).splitlines()
    assert len(lines) == 29 and all(json.loads(line)["site"] == "main" for line in lines)
