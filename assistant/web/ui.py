"""The chat page (Gradio Blocks): audience, examples, chat, citation panel, session uploads."""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

import gradio as gr

from assistant import templates
from assistant.compose import escape_markdown
from assistant.web import panel
from assistant.web.content import CSS, EXAMPLES, HEAD, SCROLL_TO_LATEST, WHAT_YOU_CAN_DO, theme
from assistant.web.api import log_question
from assistant.web.review_tab import build_review_tab
from ingest.documents import LoadError

log = logging.getLogger("sro.web")

AUDIENCES = [("Teacher", "teacher"), ("Parent", "parent"), ("School administrator", "administrator")]
UPLOAD_TYPES = [".pdf", ".md", ".txt"]

def _what_you_can_do(audience: str) -> str:
    label = dict((v, k) for k, v in AUDIENCES).get(audience, "")
    return (f"**What you can do ({label.lower()})**: {WHAT_YOU_CAN_DO.get(audience, '')} "
            f"{templates.REFERRAL.get(audience, templates.REFERRAL[None])}")


def _clean_error(message: str, path: Path, name: str) -> str:
    text = str(message).replace(str(path), name).replace(str(path.parent) + os.sep, "")
    return text.splitlines()[0] if text else f"{name}: could not be read"


def _citation_state(answer, shared_ids) -> list[dict]:
    """The citation picker's state; `shared_ids`: the chunk ids of the shared index, which tell a
    document added with `ingest FILE` from one uploaded in this session."""
    labels = [panel.choice_label(c) for c in answer.citations]
    bare = [label.split("] ", 1)[-1] for label in labels]
    for i, c in enumerate(answer.citations):
        # Two passages of one source: tell them apart by their section.
        if bare.count(bare[i]) > 1 and c.section and c.section != c.pinpoint:
            section = c.section if len(c.section) <= 60 else c.section[:57].rstrip() + "..."
            labels[i] = f"{labels[i]}: {section}"
    return [{"n": c.n, "label": label, "kind": c.kind,
             "html": panel.citation_html(c, shared=c.chunk_id in shared_ids)}
            for c, label in zip(answer.citations, labels)]


RELATED_BUTTONS = 3


def chat_markdown(answer) -> str:
    """The answer as the chat shows it: the detail behind a "More" toggle, right under the short answer."""
    if not answer.more:
        return answer.markdown
    more = f"<details><summary>More</summary>\n\n{answer.more}\n\n</details>\n\n"
    after_leads = [answer.markdown.find(f"\n{h}") for h in
                   (templates.HEADING_LAW, *templates.HEADING_ACTIONS.values(), templates.HEADING_CITATIONS)]
    cut = min((i for i in after_leads if i >= 0), default=len(answer.markdown))
    return f"{answer.markdown[:cut + 1]}{more}{answer.markdown[cut + 1:]}"


def _offers(answer) -> list:
    """Related questions (or, when it could not answer, the nearest ones it can) as button updates."""
    offers = [o["question"] for o in (answer.related or answer.suggestions)][:RELATED_BUTTONS]
    return [gr.update(value=q, visible=True) for q in offers] + \
        [gr.update(value="", visible=False)] * (RELATED_BUTTONS - len(offers))


def build_ui(assistant) -> gr.Blocks:
    as_of = panel.latest_as_of(assistant.manifest)

    def new_session():
        return uuid.uuid4().hex

    def forget_session(session_id):
        if session_id:
            assistant.clear_session(session_id)

    def on_audience(audience):
        examples = EXAMPLES.get(audience, EXAMPLES["teacher"])
        return [_what_you_can_do(audience)] + [gr.update(value=q) for q in examples]

    def add_question(message, chat):
        message = (message or "").strip()
        if not message:
            return gr.update(), chat, ""
        # The question is echoed as text: its own "![x](http://…)" must not make the page fetch it (Q28).
        return "", chat + [{"role": "user", "content": escape_markdown(message)}], message

    def answer(pending, chat, history, audience, session_id):
        if not pending:
            yield (chat, history, gr.update(), gr.update(), gr.update(), gr.update(), gr.update(),
                   *[gr.update()] * RELATED_BUTTONS)
            return
        session_id = session_id or new_session()
        # With a language model on, verified sentences appear as it writes them; the final
        # answer (which may be the quoted fallback) then replaces them.
        streamed, result = "", None
        for event in assistant.ask_stream(pending, audience=audience, history=history, session_id=session_id):
            if event["type"] == "sentence":
                streamed = f"{streamed} {event['markdown']}".strip()
                yield (chat + [{"role": "assistant", "content": streamed}], history,
                       gr.update(), gr.update(), gr.update(), gr.update(), gr.update(),
                       *[gr.update()] * RELATED_BUTTONS)
            else:
                result = event["answer"]
        log_question(assistant.settings, "chat", pending, result)
        chat = chat + [{"role": "assistant", "content": chat_markdown(result)}]
        history = history + [{"role": "user", "content": pending},
                             {"role": "assistant", "content": result.markdown}]
        cites = _citation_state(result, assistant.shared.vectors)
        choices = [(c["label"], str(c["n"])) for c in cites]
        picker = gr.update(choices=choices, value=None, visible=bool(choices),
                           label=f"Sources of the latest answer ({len(choices)}): choose one to read it")
        shown = panel.EMPTY_PANEL if cites else (
            '<p class="sro-panel-empty">The latest answer quotes no source.</p>')
        notice = panel.notice_html(result.as_of or as_of) if result.as_of and result.as_of > (as_of or "") \
            else gr.update()
        offers = _offers(result)
        heading = gr.update(visible=any(o.get("visible") for o in offers),
                            value=("**Questions I can answer that come close**" if result.abstained
                                   else "**Related questions** (choose one to ask it)"))
        yield chat, history, cites, picker, shown, notice, heading, *offers

    def show_citation(choice, cites):
        for c in cites or []:
            if str(c["n"]) == str(choice):
                return c["html"]
        return panel.EMPTY_PANEL

    def new_conversation():
        return ([], [], [], gr.update(choices=[], value=None, visible=False), panel.EMPTY_PANEL, "",
                gr.update(visible=False), *[gr.update(value="", visible=False)] * RELATED_BUTTONS)

    # Gradio keeps a closed tab's State (and so its uploads) for an hour before `delete_callback`
    # runs (red team U23). The tab's heartbeat ends within seconds of closing, and `unload` runs
    # then: it frees the uploads of the tab (Gradio's session hash) that added them.
    tabs_with_uploads: dict[str, str] = {}  # Gradio's session hash -> our session id

    def on_tab_closed(request: gr.Request):
        session_id = tabs_with_uploads.pop(getattr(request, "session_hash", None) or "", None)
        if session_id:
            assistant.clear_session(session_id)

    def on_upload(path, session_id, uploaded, request: gr.Request):
        session_id = session_id or new_session()
        if request is not None and request.session_hash:
            tabs_with_uploads[request.session_hash] = session_id
        if not path:
            return gr.update(), session_id, uploaded, gr.update()
        path = Path(path)
        name = path.name
        shown = escape_markdown(name)  # a file name is shown as text, never as Markdown or HTML
        try:
            if path.suffix.lower() not in UPLOAD_TYPES:
                raise LoadError(f"{name}: this file type ({path.suffix or 'none'}) can't be used; "
                                "upload a PDF, Markdown (.md) or text (.txt) file")
            chunks = assistant.add_upload(session_id, path, title=name)
        except LoadError as exc:
            status = f"**Could not use that file.** {escape_markdown(_clean_error(str(exc), path, name))}"
            return status, session_id, uploaded, None
        except Exception:  # noqa: BLE001 - a broken file must not break the page
            log.exception("upload failed")
            status = f"**Could not use that file.** {shown}: it could not be read."
            return status, session_id, uploaded, None
        finally:
            # The temporary copy Gradio kept is removed: nothing the user gives us is stored on disk.
            try:
                path.unlink()
            except OSError:
                pass
        uploaded = uploaded + [name]
        status = (f"**Added {shown}** ({chunks} passages). Answers in this browser session may now quote it; "
                  f"it is not added to the shared index. Documents in this session: "
                  f"{', '.join(escape_markdown(u) for u in uploaded)}.")
        return status, session_id, uploaded, None

    def remove_uploads(session_id):
        if session_id:
            assistant.clear_session(session_id)
        return "Your documents were removed from this session.", []

    with gr.Blocks(title="SRO Policy Assistant", analytics_enabled=False, elem_id="sro-app",
                   delete_cache=(3600, 3600)) as demo:
        session = gr.State(None, delete_callback=forget_session)
        history = gr.State([])
        pending = gr.State("")
        cites = gr.State([])
        uploaded = gr.State([])

        gr.Markdown("# SRO Policy Assistant\nAnswers about school resource officers (SROs) in "
                    "Massachusetts public schools. Every statement is quoted from a source you can open.")
        notice = gr.HTML(panel.notice_html(as_of), elem_id="sro-notice")
        with gr.Tabs(elem_id="sro-tabs"):
            with gr.Tab("Ask a question", elem_id="sro-tab-ask"):
                audience = gr.Radio(AUDIENCES, value="teacher", label="I am a", elem_id="sro-audience")
                what = gr.Markdown(_what_you_can_do("teacher"), elem_id="sro-what")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=320):
                        chat = gr.Chatbot(label="Conversation", elem_id="sro-chat", height=520,
                                          buttons=["copy", "copy_all"], feedback_options=None, autoscroll=False, layout="panel",
                                          placeholder="Ask a question below, or choose an example.")
                        question = gr.Textbox(label="Your question", lines=1, max_lines=6, elem_id="sro-question",
                                              placeholder="Type your question",
                                              info="Press Enter or the Ask button. Please leave out students' names.")
                        with gr.Row():
                            ask_btn = gr.Button("Ask", variant="primary", elem_id="sro-ask")
                            new_btn = gr.Button("New conversation", variant="secondary", elem_id="sro-new")
                        related_heading = gr.Markdown("**Related questions** (choose one to ask it)", visible=False,
                                                      elem_id="sro-related-heading")
                        with gr.Column(elem_id="sro-related"):
                            related_btns = [gr.Button("", size="sm", variant="secondary", visible=False,
                                                      elem_classes=["sro-related"]) for _ in range(RELATED_BUTTONS)]
                        gr.Markdown("**Example questions** (choose one to ask it)")
                        with gr.Column(elem_id="sro-examples"):
                            example_btns = [gr.Button(q, size="sm", variant="secondary", elem_classes=["sro-example"])
                                            for q in EXAMPLES["teacher"]]
                    with gr.Column(scale=2, min_width=320, elem_id="sro-side"):
                        gr.Markdown("## Source passage")
                        picker = gr.Radio([], label="Sources of the latest answer: choose one to read it",
                                          visible=False, elem_id="sro-citations")
                        source = gr.HTML(panel.EMPTY_PANEL, elem_id="sro-panel", container=False)
                        with gr.Accordion("Your district's MOU or policy (optional)", open=True, elem_id="sro-upload-box"):
                            upload = gr.File(label="Upload a district MOU or policy: PDF, Markdown or text, up to "
                                                   f"{assistant.settings.upload_max_mb:g} MB",
                                             file_types=UPLOAD_TYPES, type="filepath", elem_id="sro-upload")
                            upload_status = gr.Markdown("Used only in this browser session; never added to the "
                                                        "shared index.", elem_id="sro-upload-status")
                            remove_btn = gr.Button("Remove my documents", size="sm", variant="secondary",
                                                   elem_id="sro-remove")
            with gr.Tab("Review an agreement", elem_id="sro-tab-review"):
                build_review_tab(assistant)

        demo.load(new_session, outputs=session, api_visibility="private")
        audience.change(on_audience, audience, [what, *example_btns], api_visibility="private")

        ask_inputs = [pending, chat, history, audience, session]
        ask_outputs = [chat, history, cites, picker, source, notice, related_heading, *related_btns]
        for trigger in (question.submit, ask_btn.click):
            trigger(add_question, [question, chat], [question, chat, pending], queue=False, api_visibility="private") \
                .then(answer, ask_inputs, ask_outputs, api_visibility="private") \
                .then(None, js=SCROLL_TO_LATEST)
        for btn in example_btns + related_btns:
            btn.click(lambda q, c: ("", c + [{"role": "user", "content": q}], q), [btn, chat],
                      [question, chat, pending], queue=False, api_visibility="private") \
                .then(answer, ask_inputs, ask_outputs, api_visibility="private") \
                .then(None, js=SCROLL_TO_LATEST)
        picker.change(show_citation, [picker, cites], source, queue=False, api_visibility="private")
        for trigger in (new_btn.click, chat.clear):  # the chat's own Clear button too
            trigger(new_conversation, None, [chat, history, cites, picker, source, pending, related_heading,
                                              *related_btns], queue=False, api_visibility="private")
        upload.upload(on_upload, [upload, session, uploaded], [upload_status, session, uploaded, upload],
                      api_visibility="private")
        remove_btn.click(remove_uploads, session, [upload_status, uploaded], api_visibility="private")
        demo.unload(on_tab_closed)
    demo.queue(default_concurrency_limit=4)
    return demo
