"""Export files read as XML, safely and a record at a time.

A file from anywhere is hostile input. lxml (libxml2) reads it as a stream,
with exact line numbers for every element, and is told to read no DTD,
expand no entity and open no network address; a file that declares a
document type at all is refused before any of its records is handed out
(WordPress and Disqus exports never have one). Every element is dropped
once its record is read, so memory stays flat whatever the file's size.
"""

import re

from lxml import etree

TRAILING_POSITION = re.compile(r",? line \d+, column \d+$")


class FileError(Exception):
    """The file cannot be read on from here; ``line`` (and ``column``) say where."""

    def __init__(self, message, line=None, column=None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column

    def __str__(self):
        if self.line is None:
            return self.message
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


def elements(source, names, depth):
    """Each complete element ``depth`` levels below the root (which is 0) whose local name is in
    ``names``, in file order (``source``: a binary file); each is dropped once the caller moves on."""
    context = etree.iterparse(source, events=("end",), resolve_entities=False, no_network=True, load_dtd=False,
                              huge_tree=False, remove_comments=True, remove_pis=True)
    checked = False
    try:
        for _, element in context:
            if not checked:
                checked = True
                if element.getroottree().docinfo.doctype:
                    raise FileError("the file declares a document type (<!DOCTYPE …>); an export has none, and "
                                    "its entities could read local files or expand without end: refused", 1)
            if local(element) not in names or _depth(element) != depth:
                continue
            yield element
            element.clear(keep_tail=False)
            parent = element.getparent()
            while element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as error:
        # The log's last error is this one's cause, with its position; the exception's own message can be vaguer.
        logged = error.error_log.filter_from_errors() if error.error_log else []
        last_error = logged[-1] if logged else None
        if last_error is not None:
            message, line, column = last_error.message, last_error.line, last_error.column
            if message.startswith("Unregistered error"):  # libxml2 has no words for some: its error's name
                message = last_error.type_name.removeprefix("ERR_").replace("_", " ").capitalize()
        else:
            message, line, column = error.msg or str(error), error.lineno, (error.offset or 0) + 1
        raise FileError(f"not well-formed XML: {TRAILING_POSITION.sub('', message)}", line or None,
                        column if column and column > 0 else None) from None


def _depth(element):
    depth = 0
    parent = element.getparent()
    while parent is not None:
        depth += 1
        parent = parent.getparent()
    return depth


def local(element):
    tag = element.tag
    return tag[tag.rfind("}") + 1:]


def children(element):
    """{local name: text} of an element's children (the first of each name), texts stripped."""
    found = {}
    for child in element:
        tag = child.tag
        if isinstance(tag, str):  # comments and processing instructions have a function for a tag
            found.setdefault(tag[tag.rfind("}") + 1:], (child.text or "").strip())
    return found


def first(element, name):
    for child in element:
        if isinstance(child.tag, str) and local(child) == name:
            return child
    return None
