"""What the chat page shows besides answers: example questions, help text, styles and theme."""

from __future__ import annotations

import gradio as gr

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
