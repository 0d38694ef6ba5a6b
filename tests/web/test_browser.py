"""End to end in a real browser: Debian's chromium driven by Playwright (never `playwright install`).

Asks a teacher question, opens a citation, switches to Parent with the keyboard, uploads a
district MOU (PDF) for this browser session and gets an answer citing it; saves screenshots
to test-artifacts/ (wide and 375 px), and checks the page made no request off 127.0.0.1.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.pdfs import make_pdf, make_scanned_pdf

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.server,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian chromium is not installed at /usr/bin/chromium "
                              "(apt-get install -y chromium; `make browser` does it as root)"),
]

TEACHER_Q = "A student swore at me in class. Should I call the SRO?"
MOU_SENTENCE = ("The school resource officer shall wear a green polo shirt with the district crest, "
                "and not a duty uniform, while inside any Millbrook school building.")
MOU_Q = "What does our district MOU say the school resource officer must wear inside the building?"
TIMEOUT = 60_000

UNLABELLED_CONTROLS = """() => [...document.querySelectorAll(
    '.gradio-container input, .gradio-container textarea, .gradio-container button, .gradio-container select')]
  .filter(e => e.offsetParent !== null && e.type !== 'hidden')
  .filter(e => !(e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.title
                 || (e.labels && e.labels.length && e.labels[0].innerText.trim())
                 || e.innerText.trim()))
  .map(e => e.outerHTML.slice(0, 160))"""


@pytest.fixture()
def browser_page(server, tmp_path):
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            user_data_dir=tempfile.mkdtemp(prefix="sro-chromium-", dir=tmp_path),
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS,
            viewport={"width": 1280, "height": 900}, permissions=["clipboard-read", "clipboard-write"])
        context.set_default_timeout(TIMEOUT)

        def only_loopback(route):
            url = route.request.url
            host = urlparse(url).hostname
            if url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
                return route.continue_()
            outside.append(url)
            return route.abort()

        context.route("**/*", only_loopback)
        page = context.new_page()
        page.goto(server + "/")
        page.wait_for_selector("#sro-question textarea")
        yield page, outside
        context.close()


BOT_ANSWERS = """() => [...document.querySelectorAll('#sro-chat .bot-row')]
  .filter(e => /not legal advice|I searched|Please type/.test(e.innerText)).length"""


def ask(page, question: str, cited: bool = True) -> None:
    """Type a question, press Enter, wait for its answer (and for its citation list)."""
    before = page.evaluate(BOT_ANSWERS)
    box = page.locator("#sro-question textarea")
    box.fill(question)
    box.press("Enter")  # keyboard: Enter asks
    page.wait_for_function(f"({BOT_ANSWERS})() > {before}")
    if cited:
        page.locator("#sro-citations").get_by_text(re.compile(r"^\[1\] ")).wait_for()


def pick_citation(page, pattern: str) -> None:
    page.locator("#sro-citations label").filter(has_text=re.compile(pattern)).first.click()
    page.locator("#sro-panel mark").first.wait_for()


def test_teacher_parent_upload_and_narrow_view(browser_page, artifacts, tmp_path):
    page, outside = browser_page
    # The notice is always there, with the date of the sources.
    notice = page.locator("#sro-notice")
    assert "General information, not legal advice." in notice.inner_text()
    assert re.search(r"Sources as of \d{4}-\d{2}-\d{2}", notice.inner_text())
    assert "What you can do (teacher)" in page.locator("#sro-what").inner_text()
    assert page.get_by_role("button", name=TEACHER_Q).is_visible()  # teacher examples
    assert page.evaluate(UNLABELLED_CONTROLS) == []

    # 1. A teacher question: an answer with numbered citations.
    ask(page, TEACHER_Q)
    chat = page.locator("#sro-chat")
    assert TEACHER_Q in chat.inner_text()
    assert "[1]" in chat.inner_text() and "What you can do (teacher)" in chat.inner_text()

    # 2. Open the first citation: title, kind, passage with the quote marked, official URL.
    pick_citation(page, r"\[1\] ")
    side = page.locator("#sro-panel")
    text = side.inner_text()
    assert text.startswith("[1] ")
    assert re.search(r"Official text|Plain-language guide", text)
    assert side.locator("mark").first.inner_text().strip()
    assert side.locator("a[href^='https://']").count() >= 1
    page.screenshot(path=str(artifacts / "01-teacher-answer-citation.png"), full_page=True)

    # Copy an answer with its citations.
    copy = chat.locator("button[aria-label*='opy']")
    assert copy.count() >= 1
    copy.last.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "[1]" in copied and "Sources" in copied and "https://" in copied

    # The answer-first layout: the card's lead under "Short answer", the detail behind "More".
    first = chat.locator(".bot-row").last
    assert "Short answer" in first.inner_text() and "Related questions" in first.inner_text()
    more = first.locator("details")
    assert more.count() == 1 and not more.first.evaluate("e => e.open")
    more.first.locator("summary").click()
    assert more.first.evaluate("e => e.open") and "Why" in more.first.inner_text()

    # 2b. A related question is a button: clicking it asks it, and the answer is that card's.
    related = page.locator("#sro-related button:visible")
    assert related.count() >= 2
    offered = related.first.inner_text().strip()
    before = page.evaluate(BOT_ANSWERS)
    related.first.click()
    page.wait_for_function(f"({BOT_ANSWERS})() > {before}")
    assert chat.locator(".user-row").last.inner_text().strip() == offered
    answered = chat.locator(".bot-row").last.inner_text()
    assert "[1]" in answered and "What you can do (teacher)" in answered
    chat.locator(".bot-row").last.screenshot(path=str(artifacts / "01b-related-question-answered.png"))

    # 3. A follow-up in the same conversation, then a new conversation.
    ask(page, "ok but what if he then picks up a chair and throws it at me?")
    assert chat.inner_text().count("What you can do (teacher)") == 3
    page.get_by_role("button", name="New conversation").click()
    page.wait_for_function("!document.querySelector('#sro-chat').innerText.includes('picks up a chair')")
    assert page.locator("#sro-citations").is_hidden() and page.locator("#sro-related button:visible").count() == 0

    # 4. Switch to Parent with the keyboard (Gradio's radios are reached with Tab, chosen with Space).
    page.locator("#sro-audience input[value='teacher']").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('#sro-what').innerText.includes('(parent)')")
    assert page.locator("#sro-audience input[value='parent']").is_checked()
    page.get_by_role("button", name=re.compile("question my child")).wait_for()  # parent examples

    # 5. A bad upload gets a clear message; a real MOU is indexed for this session only.
    upload = page.locator("#sro-upload input[type=file]")
    scanned = make_scanned_pdf(tmp_path / "scanned-mou.pdf")
    upload.set_input_files(str(scanned))
    status = page.locator("#sro-upload-status")
    status.get_by_text("Could not use that file").wait_for()
    assert "scanned-mou.pdf" in status.inner_text() and "/tmp" not in status.inner_text()

    mou = make_pdf(tmp_path / "district-mou.pdf", [
        "Millbrook Public Schools and the Millbrook Police Department agree as follows.\n\n"
        f"Section 4. Uniform. {MOU_SENTENCE}\n\n"
        "Section 5. Meetings. The principal and the school resource officer meet every Monday."])
    upload.set_input_files(str(mou))
    status.get_by_text("Added district-mou.pdf").wait_for()

    ask(page, MOU_Q)
    assert "What you can do (parent)" in chat.inner_text()
    assert "green polo shirt" in chat.inner_text()
    pick_citation(page, r"district-mou\.pdf")
    text = side.inner_text()
    assert "Your document" in text and "district-mou.pdf" in text
    assert "green polo shirt" in side.locator("mark").first.inner_text()
    page.screenshot(path=str(artifacts / "02-parent-upload-citation.png"), full_page=True)

    # Another browser session does not see the upload.
    other = page.context.new_page()
    other.goto(page.url)
    other.wait_for_selector("#sro-question textarea")
    ask(other, MOU_Q, cited=False)
    assert "green polo shirt" not in other.locator("#sro-chat").inner_text()
    other.close()

    # 6. 375 px wide: nothing scrolls sideways; the answer and the source panel stay readable.
    page.set_viewport_size({"width": 375, "height": 812})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    page.screenshot(path=str(artifacts / "03-narrow-375-full.png"), full_page=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "03-narrow-375.png"))
    chat.evaluate("e => e.scrollIntoView()")
    page.screenshot(path=str(artifacts / "04-narrow-375-answer.png"))
    side.evaluate("e => e.scrollIntoView()")
    page.screenshot(path=str(artifacts / "05-narrow-375-citation.png"))

    assert outside == [], f"the page tried to reach: {outside}"


AGREEMENTS = Path(__file__).resolve().parents[2] / "evals" / "agreements"


def test_review_an_agreement_table_passage_and_download(browser_page, artifacts, tmp_path):
    page, outside = browser_page
    page.get_by_role("tab", name="Review an agreement").click()
    page.locator("#sro-review-upload input[type=file]").set_input_files(str(AGREEMENTS / "older-2018.pdf"))
    status = page.locator("#sro-review-status")
    status.get_by_text(re.compile(r"elements\s+addressed")).wait_for()
    table = page.locator("#sro-review-table")
    assert table.get_by_text("not found").locator("visible=true").count() >= 1
    # A row opens its passage, marked in its page.
    table.get_by_text(re.compile(r"^addressed$")).locator("visible=true").first.click()
    mark = page.locator("#sro-review-page mark")
    mark.wait_for()
    assert len(mark.inner_text().split()) >= 6
    page.screenshot(path=str(artifacts / "06-agreement-review.png"), full_page=True)
    # The review downloads as Markdown.
    with page.expect_download() as caught:
        page.locator("#sro-review-download").click()
    saved = tmp_path / "review.md"
    caught.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("# SRO agreement review") and "not found" in text
    assert outside == []
