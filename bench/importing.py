"""The import figure: `flask --app wsgi comments import` of a large WXR file the bench writes.

The file is WordPress's export format with ``comments`` comments over one
post per 500 comments, a third of them replies, Arabic and English text with
a link now and then, every status WordPress writes. The command runs as an
operator would run it, in its own process, on a fresh instance folder with
the embedded Redis (``queue/redis.conf``, ``appendfsync always``). Measured:
comments imported per second of the whole command (start-up included) and
the command's peak resident memory (``VmHWM`` of its process; the embedded
redis-server is a process of its own and is not counted).
"""

import os
import subprocess
import sys
import time
from dataclasses import dataclass

from moderation import PROJECT_ROOT

POST_SIZE = 500
STATUSES = ("1",) * 16 + ("0", "0", "spam", "trash")
TEXTS = ("تعليق رقم {n} على المقال، شكراً على التغطية الدقيقة للأحداث.",
         "Comment {n}: a fair point, though the figures in the <em>second</em> paragraph need a source.",
         "رد {n}: أوافق الرأي &amp; أضيف أن <a href=\"https://example.com/r/{n}\">التقرير</a> يؤكد ذلك.\n\nسطر ثانٍ.")


@dataclass
class ImportFigure:
    comments: int
    seconds: float
    peak_rss_mb: float
    file_mb: float
    summary: str  # the command's report line

    @property
    def rate(self):
        return self.comments / self.seconds if self.seconds else 0.0


def write_wxr(path, comments):
    """A WXR 1.2 file of ``comments`` comments; written as a stream."""
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Bench</title>'
                "<link>https://bench.example</link><wp:wxr_version>1.2</wp:wxr_version>"
                "<wp:base_site_url>https://bench.example</wp:base_site_url>\n")
        for first in range(1, comments + 1, POST_SIZE):
            post = first // POST_SIZE + 1
            f.write(f"<item><title>Post {post}</title><link>https://bench.example/?p={post}</link>"
                    f"<wp:post_id>{post}</wp:post_id><wp:post_name>post-{post}</wp:post_name>"
                    "<wp:post_type>post</wp:post_type>\n")
            for n in range(first, min(first + POST_SIZE, comments + 1)):
                parent = n - 1 if n % 3 == 0 and n > first else 0
                minute = n % 60
                f.write(f"<wp:comment><wp:comment_id>{n}</wp:comment_id>"
                        f"<wp:comment_author><![CDATA[قارئ {n % 997}]]></wp:comment_author>"
                        f"<wp:comment_author_email>reader{n % 997}@example.com</wp:comment_author_email>"
                        "<wp:comment_author_url></wp:comment_author_url>"
                        f"<wp:comment_author_IP>192.0.2.{n % 250}</wp:comment_author_IP>"
                        f"<wp:comment_date_gmt>2024-03-{n % 28 + 1:02d} 10:{minute:02d}:00</wp:comment_date_gmt>"
                        f"<wp:comment_content><![CDATA[{TEXTS[n % 3].format(n=n)}]]></wp:comment_content>"
                        f"<wp:comment_approved>{STATUSES[n % len(STATUSES)]}</wp:comment_approved>"
                        "<wp:comment_type>comment</wp:comment_type>"
                        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n")
            f.write("</item>\n")
        f.write("</channel></rss>\n")


def measure(workdir, comments, environ, secret_key):
    """Write the file, import it into a fresh instance, and return an ImportFigure."""
    path = os.path.join(workdir, "import.xml")
    write_wxr(path, comments)
    env = {**environ, "INSTANCE_PATH": os.path.join(workdir, "import-instance"), "SECRET_KEY": secret_key}
    env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "comments", "import", path]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, high_water_mark_kb(process.pid))
        time.sleep(0.05)
    seconds = time.monotonic() - started
    output = process.stdout.read()
    process.stdout.close()
    if process.returncode != 0:
        raise RuntimeError(f"the import exited with {process.returncode}:\n{output}")
    return ImportFigure(comments=comments, seconds=seconds, peak_rss_mb=peak / 1024,
                        file_mb=os.path.getsize(path) / 2**20, summary=output.splitlines()[0] if output else "")


def high_water_mark_kb(pid):
    """The process's peak resident memory so far (kB), or 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0
