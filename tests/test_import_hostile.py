"""An export file from anywhere is hostile input: each bad file or record gets a clear message, a non-zero exit,
and nothing half-written."""

import http.server
import threading

import pytest

from moderation.keys import Keys

from .test_import import comments_of, published, run_import, wxr_comment, wxr_file, wxr_item

KEYS = Keys("main")
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
RSS = '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def write(tmp_path, data):
    path = tmp_path / "hostile.xml"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def assert_refused_whole(result, redis_client, *, says):
    assert result.exit_code == 1
    assert says in result.stderr, result.stderr
    assert redis_client.keys(KEYS.comment_prefix + "*") == []


def test_import_refuses_an_external_entity(runner, redis_client, tmp_path):
    path = write(tmp_path, HEAD + '<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>' + RSS
                 + wxr_item(1, [wxr_comment(1, "x")]).replace("<![CDATA[x]]>", "&secret;") + "</channel></rss>")
    result = run_import(runner, path, "--format", "wxr")
    assert_refused_whole(result, redis_client, says="line 1: the file declares a document type")
    assert "root:" not in result.output


def test_import_refuses_a_billion_laughs(runner, redis_client, tmp_path):
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    path = write(tmp_path, HEAD + f"<!DOCTYPE rss [{entities}]>" + RSS
                 + wxr_item(1, [wxr_comment(1, "x")]).replace("<![CDATA[x]]>", "&lol9;") + "</channel></rss>")
    result = run_import(runner, path, "--format", "wxr")
    # libxml2 may stop the expansion before the document type is even complete; either way, refused at line 1.
    assert result.exit_code == 1 and "line 1" in result.stderr
    assert "the file declares a document type" in result.stderr or "entity amplification" in result.stderr
    assert redis_client.keys(KEYS.comment_prefix + "*") == []


def test_import_never_fetches_a_dtd(runner, redis_client, tmp_path):
    asked = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY x "fetched">')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/evil.dtd"
        path = write(tmp_path, HEAD + f'<!DOCTYPE rss SYSTEM "{url}">' + RSS + wxr_item(1, [wxr_comment(1, "x")])
                     + "</channel></rss>")
        assert_refused_whole(run_import(runner, path, "--format", "wxr"), redis_client,
                             says="the file declares a document type")
    finally:
        server.shutdown()
        server.server_close()
    assert asked == []


def test_import_refuses_a_nesting_bomb(runner, redis_client, tmp_path):
    path = write(tmp_path, HEAD + RSS + "<item>" + "<div>" * 1000 + "</div>" * 1000 + "</item></channel></rss>")
    assert_refused_whole(run_import(runner, path, "--format", "wxr"), redis_client, says="Excessive depth")


def test_import_refuses_a_file_that_is_not_xml(runner, redis_client, tmp_path):
    path = write(tmp_path, "this is no export\n")
    result = run_import(runner, path)
    assert result.exit_code == 1 and "not a WordPress (WXR), Disqus or JSON Lines export" in result.output
    assert_refused_whole(run_import(runner, path, "--format", "disqus"), redis_client,
                         says="line 1, column 1: not well-formed XML")


def test_import_of_invalid_utf8_keeps_what_came_before_and_says_where(runner, client, redis_client, tmp_path):
    # Enough before the break that the parser hands those records out before it reads the bad bytes.
    good = "".join(wxr_item(n, [wxr_comment(n, f"before the break {n}")]) for n in range(1, 401))
    before = (HEAD + RSS + good).encode()
    path = write(tmp_path, before + b"\n<item><title>\xff\xfe</title></item></channel></rss>")
    result = run_import(runner, path, "--format", "wxr")
    assert result.exit_code == 1
    assert "not well-formed XML: Invalid bytes in character encoding" in result.stderr
    bad_line = before.count(b"\n") + 2
    assert f"line {bad_line}" in result.stderr
    assert [c["body_html"] for c in published(client, "1")] == ["<p>before the break 1</p>"]
    kept = len(comments_of(redis_client))
    assert 0 < kept <= 400
    path.write_bytes(before + b"</channel></rss>")
    mended = run_import(runner, path)
    assert mended.exit_code == 0 and f"already imported before: {kept}" in mended.output
    assert len(comments_of(redis_client)) == 400


def test_import_of_a_truncated_file_completes_once_mended(runner, redis_client, tmp_path):
    whole = wxr_file(tmp_path / "whole.xml", [wxr_item(1, [
        wxr_comment(i, f"comment {i}", parent=i - 1 if i > 1 else 0) for i in range(1, 9)])]).read_text()
    cut = whole[:whole.index("comment 6")]
    path = write(tmp_path, cut)
    result = run_import(runner, path)
    assert result.exit_code == 1 and "not well-formed XML" in result.stderr
    assert "Cdata not finished" in result.stderr
    first = comments_of(redis_client)
    # The item never closed, so none of its comments was whole: nothing half-written, nothing at all.
    assert first == {}
    path.write_text(whole, encoding="utf-8")
    assert run_import(runner, path).exit_code == 0
    comments = comments_of(redis_client)
    assert len(comments) == 8
    assert all(int(c["parent"]) in comments for c in comments.values() if "parent" in c)


def test_import_refuses_bad_records_by_line_and_imports_the_rest(runner, client, redis_client, tmp_path):
    path = wxr_file(tmp_path / "export.xml", [wxr_item(1, [
        wxr_comment(1, "fine"),
        wxr_comment("", "no id"),
        wxr_comment(3, "no date", date=""),
        wxr_comment(4, "bad date", date="yesterday"),
        wxr_comment(5, "bad parent", parent="abc"),
        wxr_comment(6, "x" * 5001),
        wxr_comment(7, "   "),
        wxr_comment(8, "odd status", approved="maybe"),
        wxr_comment(9, "a name too long", author="n" * 101),
    ])])
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert "refused: 8" in result.output
    lines = {line.strip() for line in result.output.splitlines()}
    text = path.read_text().splitlines()

    def line_of(marker):
        """The line where the <wp:comment> holding ``marker`` opens."""
        at = next(n for n, line in enumerate(text, start=1) if marker in line)
        return max(n for n, line in enumerate(text[:at], start=1) if "<wp:comment>" in line)

    expected = [
        f"line {line_of('no id')}: it has no id",
        f"line {line_of('no date')} (wxr:news.example:3): it has no date",
        f"line {line_of('bad date')} (wxr:news.example:4): its date 'yesterday' is not a date",
        f"line {line_of('bad parent')} (wxr:news.example:5): its parent 'abc' is not a comment id",
        f"line {line_of('x' * 50)} (wxr:news.example:6): its text is 5,001 characters, more than the 5,000 a comment "
        "may have",
        f"line {line_of('odd status')} (wxr:news.example:8): its status 'maybe' is not one WordPress writes",
        f"line {line_of('a name too long')} (wxr:news.example:9): its name is 101 characters, more than the 100 a "
        "name may have",
    ]
    for message in expected:
        assert message in lines, (message, result.output)
    assert any(line.endswith("(wxr:news.example:7): its text is empty") for line in lines)
    assert [c["body_html"] for c in published(client, "1")] == ["<p>fine</p>"]
    assert len(comments_of(redis_client)) == 1


def test_import_scripts_in_bodies_are_text_never_markup(runner, client, tmp_path):
    path = wxr_file(tmp_path / "export.xml", [wxr_item(1, [wxr_comment(
        1, "<script>alert(1)</script><img src=x onerror=alert(2)><b onclick='x()'>bold</b> &lt;i&gt;shown&lt;/i&gt;",
        author="<b>Eve</b>", url="javascript:alert(3)")])])
    assert run_import(runner, path).exit_code == 0
    [comment] = published(client, "1")
    assert comment["author"] == "Eve" and comment["url"] is None
    assert comment["body_html"] == "<p>bold &lt;i&gt;shown&lt;/i&gt;</p>"
    page = client.get("/threads/1").get_data(as_text=True)
    assert "alert(" not in page and "onerror" not in page
