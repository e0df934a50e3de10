"""Disqus's export format: its threads and posts read as comments.

A ``<thread>`` names an article: its identifier (``<id>``), its address
(``<link>``) and title. A ``<post>`` is a comment of one thread, a reply
when it has a ``<parent>``. ``isSpam`` posts go to the spam list;
``isDeleted`` ones are kept as rejected, and stand in their thread as a
"deleted" placeholder where a published reply hangs under them. Threads
that Disqus's WordPress plugin made have the identifier
``"<post ID> <guid>"``: ``threadkeys`` gives them the key a WordPress import
gives the same post.
"""

from .models import ImportThread, Refused, Status
from .records import checked
from .xmlfile import children, elements, first, local

PARTS = {"thread", "post"}


def read(source, keys, limits, *, now_ms=0):
    """ImportThread, ImportRecord and Refused items, in file order, from a Disqus export."""
    threads, announced = {}, set()
    for element in elements(source, PARTS, depth=1):
        if local(element) == "thread":
            fields = children(element)
            threads[_dsq_id(element)] = (keys.disqus(fields.get("id", ""), fields.get("link", "")),
                                         {name: fields[name][:500] for name in ("title", "link") if fields.get(name)})
            continue
        record = _post(element, threads, limits, now_ms)
        if not isinstance(record, Refused) and record.thread not in announced:
            announced.add(record.thread)
            yield ImportThread(record.thread, threads[_dsq_id(first(element, "thread"))][1])
        yield record


def _post(post, threads, limits, now_ms):
    fields = children(post)
    post_id = _dsq_id(post)
    source = f"disqus:{post_id}" if post_id else ""
    thread_element = first(post, "thread")
    thread_id = _dsq_id(thread_element) if thread_element is not None else ""
    if source and thread_id not in threads:
        return Refused(post.sourceline, source, f"its thread (dsq:id {thread_id[:40] or 'none'}) is not in the file")
    thread = threads.get(thread_id, ("", {}))[0]
    parent_element = first(post, "parent")
    parent_id = _dsq_id(parent_element) if parent_element is not None else ""
    author = first(post, "author")
    who = children(author) if author is not None else {}
    deleted = fields.get("isDeleted") == "true"
    if deleted:
        status, extra = Status.REJECTED, {"deleted": "1", "reason": "deleted"}
    elif fields.get("isSpam") == "true":
        status, extra = Status.SPAM, {}
    elif fields.get("isApproved") == "false":
        status, extra = Status.PENDING, {}
    else:
        status, extra = Status.APPROVED, {}
    if status in {Status.APPROVED, Status.REJECTED}:
        extra.update(decided_by="import", decided_at=str(now_ms))
    return checked(
        limits, source=source, parent_source=f"disqus:{parent_id}" if parent_id else "", thread=thread,
        status=status, line=post.sourceline, author=who.get("name") or who.get("username", ""),
        email=who.get("email", ""), url="", ip=fields.get("ipAddress", ""), created_at=fields.get("createdAt", ""),
        body=fields.get("message", ""), extra={**extra, "source": source}, may_be_empty=deleted)


def _dsq_id(element):
    """The ``dsq:id`` attribute, whatever prefix the file binds Disqus's internal namespace to."""
    for name, value in element.attrib.items():
        if name.rpartition("}")[2] == "id":
            return value.strip()
    return ""
