"""Red team U13 and Q28, in a real browser (Debian's chromium driven by Playwright) against the live app.

U13: a bare URL or a `<…>` autolink quoted from an uploaded document became a live link.
Q28: the user's own `![t](http://…)` was fetched when the chat echoed the question.
Both must show as text: no link to, and no request for, the outside host.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.reliability.live_server import live_server

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TRACKER = "tracker.example"

pytestmark = [pytest.mark.browser, pytest.mark.server,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not at /usr/bin/chromium")]

QUESTION = (f"![t](http://{TRACKER}/q-img.png) <http://{TRACKER}/q-auto> http://{TRACKER}/q-bare "
            f"www.{TRACKER} Where does the school resource officer park the patrol car?")
DOCUMENT = (
    "# Millbrook parking rules\n\n"
    f"The school resource officer parks the patrol car behind the gym, as shown at http://{TRACKER}/bare-url today. "
    f"The map of the school resource officer parking bay is at <http://{TRACKER}/auto-link> for staff. "
    f"The school resource officer parking permit is pictured here ![permit](http://{TRACKER}/track-img.png) for staff. "
    f"Questions about the school resource officer parking go to www.{TRACKER} or parking@{TRACKER} please.\n")

OUTSIDE_LINKS = f"""() => [...document.querySelectorAll('#sro-chat a[href], #sro-chat img[src]')]
  .map(e => e.getAttribute('href') || e.getAttribute('src')).filter(u => u.includes('{TRACKER}'))"""
BOT_ROWS = "() => document.querySelectorAll('#sro-chat .bot-row').length"


@pytest.fixture(scope="module")
def page_and_requests(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("plain-links")
    with live_server(tmp) as (base, _engine, _settings), sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            user_data_dir=tempfile.mkdtemp(prefix="sro-chromium-", dir=tmp), executable_path=str(CHROMIUM),
            headless=True, args=LAUNCH_ARGS)
        context.set_default_timeout(90_000)
        outside: list[str] = []

        def only_loopback(route):
            if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost") or \
                    route.request.url.startswith(("data:", "blob:")):
                return route.continue_()
            outside.append(route.request.url)
            return route.abort()

        context.route("**/*", only_loopback)
        page = context.new_page()
        page.goto(base + "/")
        page.wait_for_selector("#sro-question textarea")
        yield page, outside, tmp
        context.close()


def _ask(page, question: str) -> None:
    before = page.evaluate(BOT_ROWS)
    box = page.locator("#sro-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('#sro-chat .bot-row').length > {before} && "
                           "/not legal advice|I searched/.test([...document.querySelectorAll("
                           "'#sro-chat .bot-row')].pop().innerText)")


def test_the_users_own_links_and_images_are_echoed_as_text(page_and_requests):
    page, outside, _ = page_and_requests
    _ask(page, QUESTION)
    user_row = page.locator("#sro-chat .user-row").last.inner_text()
    assert f"http://{TRACKER}/q-img.png" in user_row and f"http://{TRACKER}/q-bare" in user_row
    assert page.evaluate(OUTSIDE_LINKS) == []
    assert not [u for u in outside if TRACKER in u]


def test_links_quoted_from_an_uploaded_document_are_text(page_and_requests):
    page, outside, tmp = page_and_requests
    doc = tmp / "parking-rules.md"
    doc.write_text(DOCUMENT, encoding="utf-8")
    page.locator("#sro-upload input[type=file]").set_input_files(str(doc))
    page.locator("#sro-upload-status").get_by_text("Added parking-rules.md").wait_for()
    for question in ("Where does the school resource officer park the patrol car?",
                     "Where is the map of the school resource officer parking bay?",
                     "Who answers questions about school resource officer parking?"):
        _ask(page, question)
    chat = page.locator("#sro-chat").inner_text()
    assert f"{TRACKER}/bare-url" in chat  # quoted, as text
    assert page.evaluate(OUTSIDE_LINKS) == []
    assert not [u for u in outside if TRACKER in u]
