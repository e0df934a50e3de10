"""Comment bodies from other systems (HTML) as this service's own text.

A reader's comment is plain text: line breaks and blank-line paragraphs,
links written out, everything else shown as typed. WordPress and Disqus keep
comments as HTML. This turns such HTML into the text its reader saw, with
the standard library's HTML parser (which follows HTML's own rules for
entities and broken markup): paragraphs and line breaks kept, a link kept as
its label followed by its address, every other tag and attribute dropped,
and what a script or a style holds dropped with it.
"""

import re
from html.parser import HTMLParser

BREAK = {"br"}
PARAGRAPHS = {"p", "div", "blockquote", "pre", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
              "section", "article", "figure", "dl"}
LINES = {"li", "tr", "dt", "dd", "figcaption"}
# Elements whose content is not text a reader saw.
HIDDEN = {"script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math", "head", "title",
          "textarea", "select"}
SPACES = re.compile(r"[ \t\f\v\u00a0]+")
MANY_BREAKS = re.compile(r"\n{3,}")


def to_text(html):
    """The text ``html`` showed: paragraphs as blank lines, links as "label (address)"."""
    if "<" not in html and "&" not in html:
        return _tidy(html)
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return _tidy("".join(parser.parts))


def _tidy(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return MANY_BREAKS.sub("\n\n", "\n".join(lines)).strip()


def _web_address(href):
    href = (href or "").strip()
    return href if href.lower().startswith(("http://", "https://")) else ""


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden = 0
        self.links = []  # (address, where its label starts in parts), one per open <a>

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in BREAK:
            self.parts.append("\n")
        elif tag in PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag in LINES:
            self.parts.append("\n")
        elif tag == "a":
            self.links.append((_web_address(dict(attrs).get("href")), len(self.parts)))

    def handle_startendtag(self, tag, attrs):
        if tag not in HIDDEN:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            self._close_link()

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)

    def close(self):
        super().close()
        while self.links:
            self._close_link()

    def _close_link(self):
        address, start = self.links.pop()
        if not address:
            return  # not a web address (javascript:, mailto:, a page of the old site): its label alone
        label = " ".join("".join(self.parts[start:]).split())
        bare = address.split("://", 1)[1].rstrip("/")
        if not label or label.rstrip("/") in {address.rstrip("/"), bare}:
            self.parts[start:] = [address]  # the address is the label: written once, in full
        else:
            self.parts.append(f" ({address})")
