"""The "Review an agreement" tab: upload a district SRO agreement, see what the checklist found."""


import html
import logging
import shutil
import tempfile
import time
from pathlib import Path

import gradio as gr

from assistant.agreement_review import NotAnAgreement
from assistant.agreement_stance import StanceModelError
from assistant.agreement_text import body_pages
from assistant.compose import escape_markdown
from assistant.review_report import DISCLAIMER, table_rows, to_json, to_markdown
from assistant.sentences import collapse_whitespace
from ingest.documents import LoadError

log = logging.getLogger("sro.web")

REVIEW_TYPES = [".pdf", ".md", ".txt"]
HEADERS = ["Element", "Verdict", "Passage (page)", "Why it is expected"]
EMPTY_PAGE = '<p class="sro-panel-empty">Choose a row of the table to see its passage in its page.</p>'


REPORTS = Path(tempfile.gettempdir()) / "sro-review-reports"
REPORT_MAX_AGE_S = 3600  # as long as Gradio keeps its own copy (the Blocks' delete_cache)


def report_path(name: str, folder: Path = REPORTS, max_age_s: float = REPORT_MAX_AGE_S) -> Path:
    """Where one review's Markdown is written: its own folder, so the download keeps the agreement's
    name. Folders older than `max_age_s` are deleted first: a report quotes the uploaded agreement,
    and nothing a user gives us is kept longer than the page needs it."""
    folder.mkdir(mode=0o700, exist_ok=True)
    cutoff = time.time() - max_age_s
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                shutil.rmtree(old) if old.is_dir() else old.unlink()
        except OSError:  # another session removed it first
            pass
    return Path(tempfile.mkdtemp(dir=folder)) / f"{Path(name).stem}-review.md"


def page_html(pages: list[str], page: int, passage: str) -> str:
    """The page's body text with the passage marked, all of it escaped (an upload is never markup)."""
    body = body_pages(pages)
    if not 1 <= page <= len(body):
        return EMPTY_PAGE
    text = collapse_whitespace(body[page - 1])
    at = text.find(passage)
    if at < 0:
        shown = html.escape(text)
    else:
        shown = (html.escape(text[:at]) + f'<mark id="sro-review-mark">{html.escape(passage)}</mark>'
                 + html.escape(text[at + len(passage):]))
    return f'<div class="sro-review-page"><p><strong>Page {page}</strong></p><p>{shown}</p></div>'


def build_review_tab(assistant) -> None:
    """The tab's parts and events; call inside a `gr.Blocks` context."""
    state = gr.State(None)
    gr.Markdown("## Review your district's SRO agreement\nUpload the signed agreement (MOU) between the "
                "school district and the police department. We check it against what Massachusetts law "
                "and the state model MOU expect, element by element, and quote the passages we found. "
                f"{DISCLAIMER}")
    upload = gr.File(label=f"Agreement: PDF, Markdown or text, up to {assistant.settings.upload_max_mb:g} MB",
                     file_types=REVIEW_TYPES, type="filepath", elem_id="sro-review-upload")
    status = gr.Markdown("The file is read for this review only and never added to the shared index.",
                         elem_id="sro-review-status")
    table = gr.Dataframe(headers=HEADERS, value=[], interactive=False, wrap=True, elem_id="sro-review-table",
                         column_widths=["18%", "9%", "43%", "30%"])
    page = gr.HTML(EMPTY_PAGE, elem_id="sro-review-page")
    download = gr.DownloadButton("Download the review (Markdown)", visible=False, elem_id="sro-review-download")

    def on_upload(path):
        if not path:
            return gr.update(), gr.update(), None, EMPTY_PAGE, gr.update(visible=False), None
        path = Path(path)
        name = path.name
        try:
            if path.suffix.lower() not in REVIEW_TYPES:
                raise LoadError(f"{name}: this file type can't be reviewed; upload a PDF, Markdown or text file")
            review = assistant.review_agreement(path, title=name)
        except (LoadError, NotAnAgreement) as exc:
            line = str(exc).replace(str(path), name).splitlines()[0]
            return (f"**Could not review that file.** {escape_markdown(line)}", [], None, EMPTY_PAGE,
                    gr.update(visible=False), None)
        except StanceModelError as exc:  # the server's install, not the file
            log.error("agreement review unavailable: %s", exc)  # the path and the fix, for the operator only
            return ("**The agreement review is unavailable on this server.** Its stance model is missing or out of "
                    "date; please tell the site's operator.", [], None, EMPTY_PAGE, gr.update(visible=False), None)
        except Exception:  # noqa: BLE001 - a broken file must not break the page
            log.exception("review failed")
            return (f"**Could not review that file.** {escape_markdown(name)}: it could not be read.", [], None,
                    EMPTY_PAGE, gr.update(visible=False), None)
        finally:
            path.unlink(missing_ok=True)  # Gradio's temporary copy: nothing the user gives us is kept
        report = report_path(name)
        report.write_text(to_markdown(review), encoding="utf-8")
        summary = (f"**{escape_markdown(name)}**: {len(review.pages)} pages; {review.count('addressed')} elements "
                   f"addressed, {review.count('check')} to check, {review.count('not_found')} not found "
                   f"({review.seconds:.1f} s). Choose a row to see its passage in its page.")
        return (summary, table_rows(review), {**to_json(review), "page_texts": review.pages}, EMPTY_PAGE,
                gr.update(value=str(report), visible=True), None)

    def on_select(saved, event: gr.SelectData):
        if not saved or event is None or event.index is None:
            return EMPTY_PAGE
        row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        if not 0 <= row < len(saved["elements"]):
            return EMPTY_PAGE
        element = saved["elements"][row]
        if not element["passages"]:
            return f'<p class="sro-panel-empty">{html.escape(element["message"])}</p>'
        first = element["passages"][0]
        return page_html(saved["page_texts"], first["page"], first["text"])

    upload.upload(on_upload, upload, [status, table, state, page, download, upload], api_visibility="private")
    table.select(on_select, state, page, api_visibility="private")
