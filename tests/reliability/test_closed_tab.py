"""Red team U23: a closed tab's uploads are freed within seconds, not after Gradio's hour.

Gradio keeps a closed session's State for 3,600 s, so `delete_callback` freed the tab's uploaded
documents (and their search index, hundreds of MB for large files) only an hour later. A real
page in Debian's chromium uploads a document and closes; the live app must drop it at once.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest

from tests.reliability.live_server import live_server

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FREED_WITHIN_S = 45  # Gradio notices the closed heartbeat at its next beat (15 s by default)

pytestmark = [pytest.mark.browser, pytest.mark.server,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not at /usr/bin/chromium")]


def _upload_in_a_tab(context, base: str, doc: Path):
    page = context.new_page()
    page.goto(base + "/")
    page.locator("#sro-upload input[type=file]").set_input_files(str(doc))
    page.locator("#sro-upload-status").get_by_text(f"Added {doc.name}").wait_for()
    return page


def test_closing_the_tab_frees_its_uploads(tmp_path):
    from playwright.sync_api import sync_playwright

    doc = tmp_path / "district-radios.txt"
    doc.write_text("Section 8. Radios. The school resource officer in Millbrook carries a yellow radio "
                   "that is tuned to the front office channel all day.", encoding="utf-8")
    with live_server(tmp_path) as (base, engine, _settings), sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            user_data_dir=tempfile.mkdtemp(prefix="sro-chromium-", dir=tmp_path), executable_path=str(CHROMIUM),
            headless=True, args=LAUNCH_ARGS)
        context.set_default_timeout(90_000)
        closing = _upload_in_a_tab(context, base, doc)
        staying = _upload_in_a_tab(context, base, doc)
        assert len(engine.sessions.order) == 2 and len(engine._session_sources) == 2

        closing.close()
        began = time.monotonic()
        while len(engine.sessions.order) > 1 and time.monotonic() - began < FREED_WITHIN_S:
            time.sleep(0.5)
        assert len(engine.sessions.order) == 1, "the closed tab's uploads are still held"
        assert len(engine._session_sources) == 1
        # The tab still open keeps its document.
        staying.locator("#sro-question textarea").fill("What colour radio does the Millbrook officer carry?")
        staying.locator("#sro-question textarea").press("Enter")
        staying.locator("#sro-chat").get_by_text("yellow radio").first.wait_for()
        context.close()
