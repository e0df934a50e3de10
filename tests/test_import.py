"""``flask --app wsgi comments import``: WordPress and Disqus exports, as readers and moderators see them after.

The real export files are read from ``../shared/import-samples/`` (never
copied here); files of our own are written by ``wxr_file`` and
``disqus_file`` below.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from moderation.keys import Keys

# Beside the project (../shared), or where this workplace keeps it when the checkout is elsewhere (a CI clone).
SAMPLES = next((p for p in (Path(os.environ.get("IMPORT_SAMPLES", "/nonexistent")),
                            Path(__file__).resolve().parent.parent.parent / "shared" / "import-samples",
                            Path("/work/shared/import-samples")) if p.is_dir()),
               Path(__file__).resolve().parent.parent.parent / "shared" / "import-samples")
THEME = SAMPLES / "wordpress-importer--theme-unit-test-data.xml"
PELICAN = SAMPLES / "pelican--wordpressexport.xml"
ISSO = SAMPLES / "isso--disqus.xml"
REMARK = SAMPLES / "remark42--disqus.xml"
ROOT = Path(__file__).resolve().parent.parent
KEYS = Keys("main")

needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/import-samples is not beside the project "
                                                                  "(IMPORT_SAMPLES names another folder)")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def run_import(runner, path, *options):
    return runner.invoke(args=["comments", "import", str(path), *options])


def wxr_comment(comment_id, body, *, parent=0, approved="1", kind="", author="Reader", email="r@example.com",
                date="2020-01-02 03:04:05", ip="192.0.2.7", url=""):
    return f"""
      <wp:comment>
        <wp:comment_id>{comment_id}</wp:comment_id>
        <wp:comment_author><![CDATA[{author}]]></wp:comment_author>
        <wp:comment_author_email>{email}</wp:comment_author_email>
        <wp:comment_author_url>{url}</wp:comment_author_url>
        <wp:comment_author_IP>{ip}</wp:comment_author_IP>
        <wp:comment_date>{date}</wp:comment_date>
        <wp:comment_date_gmt>{date}</wp:comment_date_gmt>
        <wp:comment_content><![CDATA[{body}]]></wp:comment_content>
        <wp:comment_approved>{approved}</wp:comment_approved>
        <wp:comment_type>{kind}</wp:comment_type>
        <wp:comment_parent>{parent}</wp:comment_parent>
      </wp:comment>"""


def wxr_item(post_id, comments, *, slug="post", title="Post", link=None):
    link = link or f"https://news.example/{slug}/"
    return f"""
    <item>
      <title>{title}</title>
      <link>{link}</link>
      <wp:post_id>{post_id}</wp:post_id>
      <wp:post_name>{slug}</wp:post_name>
      <wp:post_type>post</wp:post_type>
      {"".join(comments)}
    </item>"""


def wxr_file(path, items, version="1.2", scheme="https"):
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:wp="{scheme}://wordpress.org/export/{version}/">
  <channel>
    <title>News</title>
    <link>https://news.example</link>
    <wp:wxr_version>{version}</wp:wxr_version>
    <wp:base_site_url>https://news.example</wp:base_site_url>
    {"".join(items)}
  </channel>
</rss>
""", encoding="utf-8")
    return path


def published(client, thread):
    return client.get(f"/api/v1/threads/{thread}/comments").get_json()["comments"]


def comments_of(redis_client):
    """Every comment hash in Redis, by id."""
    keys = [k for k in redis_client.keys(KEYS.comment_prefix + "*")]
    return {int(k.rsplit(":", 1)[1]): redis_client.hgetall(k) for k in keys}


# The real files


@needs_samples
def test_import_wordpress_theme_unit_test_data(runner, client, redis_client):
    result = run_import(runner, THEME)
    assert result.exit_code == 0, result.output
    assert "imported 29 comments in 7 threads (3 pending, 26 approved)" in result.output
    assert "skipped (pingback): 2" in result.output and "skipped (trackback): 2" in result.output
    comments = comments_of(redis_client)
    by_source = {c["source"]: c for c in comments.values()}
    # The https namespace (1.2) was read: every comment has its author, email, IP and GMT date.
    greek = by_source["wxr:wpthemetestdata.wordpress.com:881"]
    assert greek["author"] == "John Γιάννης Doe Κάποιος" and greek["status"] == "approved"
    # Its HTML is gone; what it escaped reads as the reader saw it, and its links keep their address.
    assert greek["body"].startswith("Headings\n\nHeader one") and "<strong>" not in greek["body"]
    assert "The HTML <blockquote> Element" in greek["body"]
    assert "Notes (https://developer.mozilla.org/en-US/docs/HTML/Element/blockquote#Notes)" in greek["body"]
    # The ten-level chain keeps every parent.
    depth, current = 1, by_source["wxr:wpthemetestdata.wordpress.com:915"]
    while current.get("parent"):
        current, depth = comments[int(current["parent"])], depth + 1
    assert depth == 10 and current["body"] == "Comment Depth 01"
    pending = [c for c in comments.values() if c["status"] == "pending"]
    assert {c["source"].rsplit(":", 1)[1] for c in pending} == {"1015", "1016", "1017"}
    assert int(redis_client.get(KEYS.pending_count)) == 3
    # Whitespace around CDATA is not part of the text.
    assert by_source["wxr:wpthemetestdata.wordpress.com:911"]["body"].startswith("Comment Depth 06 has")


@needs_samples
def test_import_theme_data_again_adds_nothing(runner, redis_client):
    assert run_import(runner, THEME).exit_code == 0
    before = comments_of(redis_client)
    result = run_import(runner, THEME)
    assert result.exit_code == 0
    assert "imported 0 comments" in result.output and "already imported before: 29" in result.output
    assert comments_of(redis_client) == before


@needs_samples
def test_import_pelican_orphan_and_trashed_pingback(runner, redis_client):
    result = run_import(runner, PELICAN)
    assert result.exit_code == 0, result.output
    assert "imported 3 comments in 1 threads (3 approved)" in result.output
    assert "made top-level: 1" in result.output and "line 517" in result.output
    assert "skipped (pingback): 1" in result.output
    comments = comments_of(redis_client)
    orphan = next(c for c in comments.values() if c["source"].endswith(":122"))
    assert "parent" not in orphan
    assert {c["thread"] for c in comments.values()} == {"422"}  # the post ID of the item that holds them
    # --pingbacks keeps them, with their status: this one was trashed.
    result = run_import(runner, PELICAN, "--pingbacks")
    assert "imported 1 comments" in result.output and "(1 rejected)" in result.output
    ping = next(c for c in comments_of(redis_client).values() if c["source"].endswith(":156"))
    assert ping["status"] == "rejected"
    assert redis_client.zscore(KEYS.decided, ping["id"]) is not None  # the retention purge sees it


@needs_samples
def test_import_isso_disqus_sample(runner, client, redis_client):
    result = run_import(runner, ISSO)
    # The post of a thread that is not in the file is refused, with its line: status 1, the rest imported.
    assert result.exit_code == 1
    assert "line 66 (disqus:6): its thread (dsq:id 1337) is not in the file" in result.output
    assert "imported 5 comments in 2 threads (4 approved, 1 rejected)" in result.output
    comments = published(client, "some-id")
    # The deleted post with a reply stays in its place, saying nothing of what it was.
    deleted = [c for c in comments if c.get("placeholder") == "deleted"]
    assert len(deleted) == 1 and deleted[0]["author"] == "" and deleted[0]["body_html"] == ""
    reply = next(c for c in comments if c["parent"] == deleted[0]["id"])
    assert reply["body_html"] == "<p>Hello, World.</p>"
    page = client.get("/threads/some-id").get_data(as_text=True)
    assert "حُذف هذا التعليق." in page and page.count("Hello, World.") == 2
    # A thread with no identifier is keyed by its address's path.
    assert published(client, "blog:2013:02:12:redacted:index.html")[0]["body_html"] == \
        "<p>Message from thread with empty title and id</p>"


@needs_samples
def test_import_malformed_remark42_file_says_where_and_imports_nothing(runner, redis_client):
    result = run_import(runner, REMARK, "--format", "disqus")
    assert result.exit_code == 1
    assert "line 1, column 1: not well-formed XML" in result.stderr
    assert redis_client.keys(KEYS.comment_prefix + "*") == []


# Statuses, languages, namespaces, orphans


@pytest.mark.parametrize("namespace", ["http 1.0", "http 1.1", "http 1.2", "https 1.2"])
def test_import_every_status_in_every_wxr_version(runner, client, redis_client, tmp_path, namespace):
    scheme, version = namespace.split()
    path = wxr_file(tmp_path / "export.xml", [wxr_item(42, [
        wxr_comment(1, "نُشر <a href='https://news.example/x'>هنا</a> and here", author="نور Noor"),
        wxr_comment(2, "waiting", approved="0"),
        wxr_comment(3, "buy pills", approved="spam"),
        wxr_comment(4, "trashed", approved="trash"),
        wxr_comment(5, "post trashed", approved="post-trashed"),
        wxr_comment(6, "a reply to the first", parent=1, date="2020-01-03 00:00:00"),
    ], slug="%d9%85%d9%82%d8%a7%d9%84")], version=version, scheme=scheme)
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert "imported 6 comments in 1 threads (1 pending, 2 approved, 2 rejected, 1 spam)" in result.output
    shown = published(client, "42")
    assert [c["author"] for c in shown] == ["نور Noor", "Reader"]
    assert shown[0]["body_html"] == ('<p>نُشر هنا (<a href="https://news.example/x" rel="nofollow ugc noopener"'
                                     ' target="_blank">https://news.example/x</a>) and here</p>')
    assert shown[1]["parent"] == shown[0]["id"]
    assert shown[0]["created_at"] == "2020-01-02T03:04:05Z"
    assert redis_client.zcard(KEYS.spam) == 1 and int(redis_client.get(KEYS.pending_count)) == 1
    assert client.get("/threads/42").status_code == 200


def test_import_thread_key_rules(runner, client, tmp_path):
    link = "https://news.example/2024/05/%d9%85%d9%82%d8%a7%d9%84/?utm_source=x&amp;fbclid=y"
    for number, (rule, key) in enumerate([("post-id", "7"), ("slug", "مقال"), ("path", "2024:05:مقال")], start=1):
        path = wxr_file(tmp_path / f"{rule}.xml", [wxr_item(7, [wxr_comment(number, f"by {rule}")],
                                                            slug="%d9%85%d9%82%d8%a7%d9%84", link=link)])
        result = run_import(runner, path, "--thread-key", rule)
        assert result.exit_code == 0, result.output
        assert [c["body_html"] for c in published(client, key)] == [f"<p>by {rule}</p>"]
        assert f"by {rule}" in client.get(f"/threads/{key}").get_data(as_text=True)


def test_import_reply_before_its_parent_and_orphans_at_the_end(runner, client, redis_client, tmp_path):
    path = wxr_file(tmp_path / "export.xml", [
        wxr_item(1, [wxr_comment(11, "reply", parent=10, date="2020-01-02 00:00:01"),
                     wxr_comment(12, "reply to a missing one", parent=99),
                     wxr_comment(13, "reply to that orphan", parent=12, date="2020-01-02 00:00:02")]),
        wxr_item(2, [wxr_comment(10, "parent, later in the file", date="2020-01-02 00:00:00")]),
    ])
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert "made top-level: 1" in result.output
    by_body = {c["body"]: c for c in comments_of(redis_client).values()}
    assert by_body["reply"]["parent"] == by_body["parent, later in the file"]["id"]
    assert "parent" not in by_body["reply to a missing one"]
    assert by_body["reply to that orphan"]["parent"] == by_body["reply to a missing one"]["id"]


def test_import_dry_run_writes_nothing_and_reports_the_same(runner, redis_client, tmp_path):
    path = wxr_file(tmp_path / "export.xml", [wxr_item(1, [
        wxr_comment(1, "one"), wxr_comment(2, "two", parent=1), wxr_comment(3, "orphan", parent=50),
        wxr_comment(4, "ping", kind="pingback"), wxr_comment(5, "", approved="1")])])
    dry = run_import(runner, path, "--dry-run")
    assert redis_client.keys("*") == []
    assert "would import 3 comments in 1 threads (3 approved)" in dry.output
    assert "to be made top-level: 1" in dry.output and "refused: 1" in dry.output and dry.exit_code == 1
    real = run_import(runner, path)
    assert "imported 3 comments in 1 threads (3 approved)" in real.output
    assert "already imported before: 3" in run_import(runner, path, "--dry-run").output


def test_imported_comments_skip_screening_limits_and_events_and_are_audited_once(make_app, redis_client, tmp_path):
    app = make_app(SUBMIT_RATE_LIMIT="1/minute", FLOOD_SECONDS=60)
    client = app.test_client()
    app.extensions["sites"].get("main").rules.save({"blocked_words": "casino"}, "ali", 1)
    path = wxr_file(tmp_path / "export.xml", [wxr_item(5, [
        wxr_comment(i, f"casino talk number {i}", ip="192.0.2.1") for i in range(1, 31)])])
    result = app.test_cli_runner().invoke(args=["comments", "import", str(path), "--moderator", "ali"])
    assert result.exit_code == 0, result.output
    assert len(published(client, "5")) == 30  # neither the blocked word, the flood guard nor the limit held any
    assert redis_client.xlen(KEYS.events) == 0  # nothing to notify
    entries = [fields for _, fields in redis_client.xrange(KEYS.audit) if fields["action"] == "imported"]
    assert len(entries) == 1
    assert entries[0]["moderator"] == "ali" and entries[0]["file"] == "export.xml"
    assert json.loads(entries[0]["counts"])["approved"] == 30
    assert "r@example.com" not in json.dumps(entries)


def test_import_shows_at_once_in_pages_counts_and_etags(runner, client, tmp_path):
    first = client.get("/api/v1/threads/9/comments")
    assert first.get_json()["count"] == 0
    client.get("/threads/9")  # rendered and kept in this process's cache
    path = wxr_file(tmp_path / "export.xml", [wxr_item(9, [wxr_comment(1, "old comment")])])
    assert run_import(runner, path).exit_code == 0
    again = client.get("/api/v1/threads/9/comments", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.get_json()["count"] == 1
    assert "old comment" in client.get("/threads/9").get_data(as_text=True)
    assert client.get("/api/v1/counts?thread=9").get_json()["counts"]["9"] == 1


def test_import_queue_shows_imported_pending_comments(runner, moderator_client, tmp_path):
    path = wxr_file(tmp_path / "export.xml", [wxr_item(3, [wxr_comment(1, "held for a look", approved="0")])])
    assert run_import(runner, path).exit_code == 0
    assert "held for a look" in moderator_client.get("/moderate/").get_data(as_text=True)


# A kill -9 halfway


def big_wxr(path, comments):
    """``comments`` comments over 100 posts, every third a reply to the one before it."""
    items = []
    per_post = comments // 100
    for post in range(100):
        first = post * per_post + 1
        items.append(wxr_item(1000 + post, [
            wxr_comment(i, f"comment {i} with a few words", parent=i - 1 if i % 3 == 0 else 0)
            for i in range(first, first + per_post)]))
    return wxr_file(path, items)


@pytest.mark.own_servers
def test_import_killed_halfway_completes_on_a_second_run(redis_server, redis_client, tmp_path):
    path = big_wxr(tmp_path / "big.xml", 30_000)
    env = {**os.environ, "REDIS_URL": redis_server.url, "INSTANCE_PATH": str(tmp_path / "instance"),
           "SECRET_KEY": "s" * 48}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "comments", "import", str(path)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while redis_client.hlen(KEYS.imported) < 3_000 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    assert 0 < redis_client.hlen(KEYS.imported) < 30_000, "the import was not caught halfway"
    done = subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    # What the first run wrote (a batch it had sent may land after the kill) is passed over; the rest is written.
    first = int(re.search(r"already imported before: ([\d,]+)", done.stdout).group(1).replace(",", ""))
    assert 0 < first < 30_000 and f"imported {30_000 - first:,} comments" in done.stdout
    comments = comments_of(redis_client)
    assert len(comments) == 30_000 == redis_client.hlen(KEYS.imported)
    assert len({c["source"] for c in comments.values()}) == 30_000
    source_of = {c["id"]: int(c["source"].rsplit(":", 1)[1]) for c in comments.values()}
    for c in comments.values():
        number = source_of[c["id"]]
        if number % 3 == 0:  # a reply in the file: its parent is there, and is the one it names
            assert source_of[c["parent"]] == number - 1
        else:
            assert "parent" not in c


def disqus_file(path, threads, posts):
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n'
                    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
                    + "".join(threads) + "".join(posts) + "</disqus>\n", encoding="utf-8")
    return path


def disqus_thread(dsq_id, identifier, link, title="Article"):
    return (f'<thread dsq:id="{dsq_id}"><id>{identifier}</id><link>{link}</link><title>{title}</title>'
            "<createdAt>2019-01-01T00:00:00Z</createdAt></thread>")


def disqus_post(dsq_id, thread, message, *, parent=None, spam=False, deleted=False, name="قارئ",
                date="2019-05-01T10:00:00Z"):
    return (f'<post dsq:id="{dsq_id}"><message><![CDATA[{message}]]></message><createdAt>{date}</createdAt>'
            f"<isDeleted>{str(deleted).lower()}</isDeleted><isSpam>{str(spam).lower()}</isSpam>"
            f"<author><email>{dsq_id}@example.com</email><name>{name}</name></author>"
            f'<ipAddress>198.51.100.{dsq_id}</ipAddress><thread dsq:id="{thread}"/>'
            + (f'<parent dsq:id="{parent}"/>' if parent else "") + "</post>")


def test_import_disqus_of_the_wordpress_plugin_joins_the_wordpress_threads(runner, client, redis_client, tmp_path):
    wordpress = wxr_file(tmp_path / "wordpress.xml", [wxr_item(77, [wxr_comment(1, "from WordPress",
                                                                                 date="2018-01-01 00:00:00")])])
    assert run_import(runner, wordpress).exit_code == 0
    path = disqus_file(tmp_path / "disqus.xml", [
        disqus_thread(5, "77 https://news.example/?p=77", "https://news.example/%d9%85%d9%82%d8%a7%d9%84/"),
        disqus_thread(6, "", "https://news.example/2019/other/?utm_campaign=x")], [
        disqus_post(10, 5, "<p>تعليق بالعربية with English في السطر نفسه</p><p>فقرة ثانية</p>"),
        disqus_post(11, 5, "<p>رد <b>قصير</b></p>", parent=10, name="Sara سارة", date="2019-05-02T10:00:00Z"),
        disqus_post(12, 5, "buy now", spam=True),
        disqus_post(13, 6, "on the other article"),
    ])
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert "imported 4 comments in 2 threads (3 approved, 1 spam)" in result.output
    shown = published(client, "77")
    assert [c["author"] for c in shown] == ["Reader", "قارئ", "Sara سارة"]
    assert shown[1]["body_html"] == "<p>تعليق بالعربية with English في السطر نفسه</p><p>فقرة ثانية</p>"
    assert shown[2]["parent"] == shown[1]["id"] and shown[2]["body_html"] == "<p>رد قصير</p>"
    assert [c["body_html"] for c in published(client, "2019:other")] == ["<p>on the other article</p>"]
    assert redis_client.zcard(KEYS.spam) == 1
    page = client.get("/threads/77").get_data(as_text=True)
    assert "<bdi>Sara سارة</bdi>" in page
