"""After an import, the article's own page (its theme embedding the service with the WordPress post ID, as the
README's snippet does) shows its old comments, under that article and no other, in a real browser."""

from .test_browser import browser, live_server, page_elsewhere, pytestmark  # noqa: F401 (fixtures and marks)
from .test_import import THEME, needs_samples, run_import


@needs_samples
def test_browser_imported_article_shows_its_old_comments(app, live_server, browser, page_elsewhere):  # noqa: F811
    result = run_import(app.test_cli_runner(), THEME)
    assert result.exit_code == 0, result.output

    def article(post_id, title):
        # What the theme snippet prints on the article of that post.
        return page_elsewhere(f'<!doctype html><html lang="en"><body><article><h1>{title}</h1></article>'
                              f'<script src="{live_server}/embed.js" data-thread="{post_id}" async></script>')

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(article(1148, "Template: Comments"))
    comments = page.frame_locator("iframe").locator(".comment-list")
    comments.wait_for()
    text = comments.inner_text()
    assert "Comment Depth 01" in text and "Comments? I love comments!" in text and "John Γιάννης Doe Κάποιος" in text
    assert "nothing useful to say" not in text  # pending on the old site: in the queue, not on the page
    assert "Anonymous comment." not in text  # another article's
    # Replies sit under their parent, as they did on the old site.
    frame = next(f for f in page.frames if "/embed/" in f.url)
    parent_of_two = frame.evaluate("""() => {
        const bodies = [...document.querySelectorAll('.comment-body')];
        const body = bodies.find(b => b.innerText.trim() === 'Comment Depth 02');
        return body.closest('li.comment').parentElement.closest('li.comment').querySelector('.comment-body').innerText;
    }""")
    assert parent_of_two.strip() == "Comment Depth 01"
    page.goto(article(155, "Page with comments"))
    other = page.frame_locator("iframe").locator(".comment-list")
    other.wait_for()
    assert "Anonymous comment." in other.inner_text() and "Comment Depth 01" not in other.inner_text()
    context.close()
