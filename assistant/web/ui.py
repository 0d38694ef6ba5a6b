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
from assistant.web.api import log_question
from ingest.documents import LoadError

log = logging.getLogger("sro.web")

AUDIENCES = [("Teacher", "teacher"), ("Parent", "parent"), ("School administrator", "administrator")]
UPLOAD_TYPES = [".pdf", ".md", ".txt"]

EXAMPLES = {
    "teacher": [
        "A student swore at me in class. Should I call the SRO?",
        "Can the SRO go through a kid's backpack if I tell him I think there's something in it?",
        "Who decides the consequence when a kid breaks a school rule: me, the principal, or the SRO?",
    ],
    "parent": [
        "Can the SRO question my child without me being there?",
        "Can the school give my child's discipline records to the police?",
        "Can I read the agreement between our school and the police about the SRO?",
    ],
    "administrator": [
        "What does state law say has to go in our MOU with the police department about the SRO?",
        "What training does state law require for SROs?",
        "Can we designate our SRO as the school's law enforcement unit under FERPA?",
    ],
}

# What the page offers each audience; the law itself is only ever quoted in answers.
WHAT_YOU_CAN_DO = {
    "teacher": ("Ask about something that happened in your classroom: when the SRO may be involved, "
                "what must be reported, and who decides discipline. Answers end with steps for teachers."),
    "parent": ("Ask about your child: questioning by the SRO, who may see school records, suspensions "
               "and how to appeal. Answers end with steps for parents."),
    "administrator": ("Ask about your district's obligations: the MOU with the police department, SRO "
                      "selection and training, reporting, and FERPA. Upload your district's MOU to "
                      "compare it with the law. Answers end with steps for administrators."),
}

CSS = """
.sro-notice { margin: 0; padding: .6rem .8rem; border-left: 4px solid #1d4ed8;
  background: var(--background-fill-secondary); color: var(--body-text-color); }
.sro-cite h3 { margin: 0 0 .4rem; font-size: 1.05rem; }
.sro-cite h4 { margin: .8rem 0 .3rem; font-size: .95rem; }
.sro-cite dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .75rem; margin: .4rem 0; }
.sro-cite dt { font-weight: 600; }
.sro-cite dd { margin: 0; }
.sro-kind { margin: .2rem 0; }
.sro-kind-official strong { color: #14532d; background: #dcfce7; padding: 0 .3rem; border-radius: 3px; }
.sro-kind-guide strong { color: #1e3a8a; background: #dbeafe; padding: 0 .3rem; border-radius: 3px; }
.sro-kind-user strong { color: #581c87; background: #f3e8ff; padding: 0 .3rem; border-radius: 3px; }
.sro-unverified { margin: .4rem 0; padding: .3rem .5rem; color: #78350f; background: #fffbeb;
  border: 1px solid #b45309; border-radius: 4px; }
.sro-passage { white-space: pre-wrap; margin: 0; padding: .5rem .75rem; max-height: 26rem; overflow: auto;
  border-left: 3px solid var(--border-color-primary); background: var(--background-fill-secondary);
  color: var(--body-text-color); line-height: 1.5; }
.sro-passage mark { background: #fde047; color: #111827; padding: 0 .1rem; }
.sro-url { word-break: break-all; font-size: .85em; }
.sro-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.sro-panel-empty { color: var(--body-text-color-subdued); }
#sro-app a { color: #1d4ed8; text-decoration: underline; }
.dark #sro-app a { color: #93c5fd; }
button:focus-visible, input:focus-visible, textarea:focus-visible, a:focus-visible, [role=radio]:focus-visible {
  outline: 3px solid #1d4ed8 !important; outline-offset: 2px; }
@media (max-width: 640px) {
  #sro-chat .message-row { margin-left: 0 !important; margin-right: 0 !important; }
}
"""

SYSTEM_SANS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial",
               "Noto Sans", "Liberation Sans", "sans-serif"]
SYSTEM_MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"]


# Gradio scopes CSS to the app's content; the page's outer padding is set from <head>.
HEAD = ("<style>@media (max-width: 640px) { .gradio-container .main.app "
        "{ padding-left: .5rem !important; padding-right: .5rem !important; } }</style>")

# Show the start of the newest question and its answer, not the end of a long answer.
SCROLL_TO_LATEST = """() => { setTimeout(() => {
  const rows = document.querySelectorAll('#sro-chat .user-row');
  const row = rows[rows.length - 1];
  const box = document.querySelector('#sro-chat .bubble-wrap');
  if (row && box) { box.scrollTop += row.getBoundingClientRect().top - box.getBoundingClientRect().top - 8; }
}, 150); }"""


def theme() -> gr.themes.Base:
    """System fonts only (no font downloads) and colours with at least 4.5:1 contrast."""
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=SYSTEM_SANS,
                             font_mono=SYSTEM_MONO).set(
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_text_color="#ffffff",
        button_primary_text_color_hover="#ffffff",
        body_text_color_subdued="*neutral_600",
        block_info_text_color="*neutral_600",
        input_placeholder_color="*neutral_500",
        link_text_color="*primary_700",
    )


def _what_you_can_do(audience: str) -> str:
    label = dict((v, k) for k, v in AUDIENCES).get(audience, "")
    return (f"**What you can do ({label.lower()})**: {WHAT_YOU_CAN_DO.get(audience, '')} "
            f"{templates.REFERRAL.get(audience, templates.REFERRAL[None])}")


def _clean_error(message: str, path: Path, name: str) -> str:
    text = str(message).replace(str(path), name).replace(str(path.parent) + os.sep, "")
    return text.splitlines()[0] if text else f"{name}: could not be read"


def _citation_state(answer) -> list[dict]:
    labels = [panel.choice_label(c) for c in answer.citations]
    bare = [label.split("] ", 1)[-1] for label in labels]
    for i, c in enumerate(answer.citations):
        # Two passages of one source: tell them apart by their section.
        if bare.count(bare[i]) > 1 and c.section and c.section != c.pinpoint:
            section = c.section if len(c.section) <= 60 else c.section[:57].rstrip() + "..."
            labels[i] = f"{labels[i]}: {section}"
    return [{"n": c.n, "label": label, "html": panel.citation_html(c), "kind": c.kind}
            for c, label in zip(answer.citations, labels)]


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
        return "", chat + [{"role": "user", "content": message}], message

    def answer(pending, chat, history, audience, session_id):
        if not pending:
            yield chat, history, gr.update(), gr.update(), gr.update(), gr.update()
            return
        session_id = session_id or new_session()
        # With a language model on, verified sentences appear as it writes them; the final
        # answer (which may be the quoted fallback) then replaces them.
        streamed, result = "", None
        for event in assistant.ask_stream(pending, audience=audience, history=history, session_id=session_id):
            if event["type"] == "sentence":
                streamed = f"{streamed} {event['markdown']}".strip()
                yield (chat + [{"role": "assistant", "content": streamed}], history,
                       gr.update(), gr.update(), gr.update(), gr.update())
            else:
                result = event["answer"]
        log_question(assistant.settings, "chat", pending, result)
        chat = chat + [{"role": "assistant", "content": result.markdown}]
        history = history + [{"role": "user", "content": pending},
                             {"role": "assistant", "content": result.markdown}]
        cites = _citation_state(result)
        choices = [(c["label"], str(c["n"])) for c in cites]
        picker = gr.update(choices=choices, value=None, visible=bool(choices),
                           label=f"Sources of the latest answer ({len(choices)}): choose one to read it")
        shown = panel.EMPTY_PANEL if cites else (
            '<p class="sro-panel-empty">The latest answer quotes no source.</p>')
        notice = panel.notice_html(result.as_of or as_of) if result.as_of and result.as_of > (as_of or "") \
            else gr.update()
        yield chat, history, cites, picker, shown, notice

    def show_citation(choice, cites):
        for c in cites or []:
            if str(c["n"]) == str(choice):
                return c["html"]
        return panel.EMPTY_PANEL

    def new_conversation():
        return ([], [], [], gr.update(choices=[], value=None, visible=False), panel.EMPTY_PANEL, "")

    def on_upload(path, session_id, uploaded):
        session_id = session_id or new_session()
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

        demo.load(new_session, outputs=session, api_visibility="private")
        audience.change(on_audience, audience, [what, *example_btns], api_visibility="private")

        ask_inputs = [pending, chat, history, audience, session]
        ask_outputs = [chat, history, cites, picker, source, notice]
        for trigger in (question.submit, ask_btn.click):
            trigger(add_question, [question, chat], [question, chat, pending], queue=False, api_visibility="private") \
                .then(answer, ask_inputs, ask_outputs, api_visibility="private") \
                .then(None, js=SCROLL_TO_LATEST)
        for btn in example_btns:
            btn.click(lambda q, c: ("", c + [{"role": "user", "content": q}], q), [btn, chat],
                      [question, chat, pending], queue=False, api_visibility="private") \
                .then(answer, ask_inputs, ask_outputs, api_visibility="private") \
                .then(None, js=SCROLL_TO_LATEST)
        picker.change(show_citation, [picker, cites], source, queue=False, api_visibility="private")
        for trigger in (new_btn.click, chat.clear):  # the chat's own Clear button too
            trigger(new_conversation, None, [chat, history, cites, picker, source, pending],
                    queue=False, api_visibility="private")
        upload.upload(on_upload, [upload, session, uploaded], [upload_status, session, uploaded, upload],
                      api_visibility="private")
        remove_btn.click(remove_uploads, session, [upload_status, uploaded], api_visibility="private")
    demo.queue(default_concurrency_limit=4)
    return demo
