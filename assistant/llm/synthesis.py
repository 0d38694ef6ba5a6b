"""Language-model mode: the model rewrites the answer, only verified sentences are kept, and the
extractive answer (with a fixed notice) is returned whenever that cannot be done."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator

from assistant import templates
from assistant.answer import Answer, Sentence
from assistant.compose import Candidate, CitationBook, escape_markdown, render
from assistant.llm import client, prompts
from assistant.llm.passages import Passage, select
from assistant.llm.verify import DOMAIN, EMAIL, SCHEME, Checked, Verifier, split_output
from assistant.query import INJECTION, Query, previous_user_turns
from assistant.retrieval import Retrieved

log = logging.getLogger(__name__)

MIN_VERIFIED = 1
MIN_VERIFIED_SHARE = 0.5
EXTRA_SENTENCES = 2  # the model may use a few more sentences than the extractive answer quotes
# Each check embeds a sentence: a model that writes hundreds of them (red team LLM6) is cut off.
CHECKED_PER_KEPT = 3


def with_notice(extractive: Answer, notice: str) -> Answer:
    """The extractive answer, unchanged but for a fixed notice on top."""
    return dataclasses.replace(
        extractive, mode="extractive", markdown=f"_{notice}_\n\n{extractive.markdown}",
        sentences=[Sentence(notice, None, "template")] + list(extractive.sentences))


class Draft:
    """Collects verified sentences in order, numbering citations by first use."""

    def __init__(self, assistant, passages: list[Passage], extractive: Answer):
        self.extractive = extractive
        self.max_kept = assistant.settings.answer_sentences + EXTRA_SENTENCES
        self.seen: set[str] = set()
        self.passages = {p.n: p for p in passages}
        self.verifier = Verifier(passages, assistant.vectors, assistant.settings.llm_support_threshold)
        self.book = CitationBook()
        self.checked: list[Checked] = []
        self.kept: list[tuple[Sentence, list[int]]] = []

    def add(self, raw: str) -> str | None:
        """Check one sentence the model wrote; its Markdown (renumbered) if verified, else None.
        Repeats and anything after the answer is full are ignored, not counted against the model."""
        key = " ".join(re.findall(r"\w+", raw.lower()))
        if self.full or key in self.seen:
            return None
        self.seen.add(key)
        result = self.verifier.check(raw)
        self.checked.append(result)
        if not result.verified:
            log.debug("removed a generated sentence: %s", result.reason)
            return None
        numbers = []
        for n in result.cites:
            passage = self.passages[n]
            numbers.append(self.book.cite(Candidate(result.evidence[n], passage.retrieved, 0)).n)
        numbers = list(dict.fromkeys(numbers))
        self.kept.append((Sentence(result.text, numbers[0], "direct", verified=True), numbers))
        return line(result.text, numbers)

    @property
    def full(self) -> bool:
        return len(self.kept) >= self.max_kept or len(self.checked) >= CHECKED_PER_KEPT * self.max_kept

    def finish(self) -> Answer:
        if not self.checked:
            log.warning("the language model returned no usable text; extractive answer returned")
            return with_notice(self.extractive, prompts.NOTICE_UNAVAILABLE)
        if len(self.kept) < MIN_VERIFIED or len(self.kept) < MIN_VERIFIED_SHARE * len(self.checked):
            log.info("%d of %d generated sentences verified; extractive answer returned",
                     len(self.kept), len(self.checked))
            return with_notice(self.extractive, prompts.NOTICE_UNVERIFIED)
        ex = self.extractive
        as_of = max((c.as_of for c in self.book.citations if c.as_of), default=None) or ex.as_of
        direct = " ".join(line(s.text, numbers) for s, numbers in self.kept)
        # The same "What you can do", "Sources" and disclaimer lines as the extractive answer.
        tail = render([], self.book, ex.audience, as_of or "unknown")
        tail = tail[tail.index(templates.HEADING_ACTIONS.get(ex.audience, templates.HEADING_ACTIONS[None])):]
        markdown = f"{templates.HEADING_DIRECT}\n{direct}\n\n{tail}"
        return Answer(question=ex.question, audience=ex.audience, markdown=markdown, abstained=False,
                      citations=self.book.citations, sentences=[s for s, _ in self.kept], as_of=as_of,
                      latency_ms=ex.latency_ms, mode="llm", retrieved=ex.retrieved)


# "." "@" and ":" inside an address, escaped, so no Markdown renderer turns it into a link; not
# twice: escape_markdown already escapes a scheme's ":" (a second "\" would show).
LINK_PUNCTUATION = re.compile(r"(?<!\\)([.@:/])")


def plain_addresses(text: str) -> str:
    """Markdown that shows e-mail addresses, domains and schemes as text, never as links: verification
    lets through only those the cited passage itself contains (red team LLM4)."""
    for pattern in (EMAIL, DOMAIN, SCHEME):
        text = pattern.sub(lambda m: LINK_PUNCTUATION.sub(r"\\\1", m.group(0)), text)
    return text


def line(text: str, numbers: list[int]) -> str:
    marks = "".join(f"[{n}]" for n in numbers)
    text = plain_addresses(escape_markdown(text))
    if text[-1:] in ".?!":
        return f"{text[:-1]} {marks}{text[-1]}"
    return f"{text} {marks}"


def _prepare(assistant, query: Query, retrieved: list[Retrieved], extractive: Answer):
    passages = select(retrieved, extractive)
    max_sentences = assistant.settings.answer_sentences + EXTRA_SENTENCES
    messages = prompts.messages(query.text, extractive.audience, passages, max_sentences)
    return passages, messages


def synthesize(assistant, query: Query, retrieved: list[Retrieved], extractive: Answer,
               settings=None) -> Answer:
    """The model's answer, verified sentence by sentence; the extractive answer when that fails."""
    passages, messages = _prepare(assistant, query, retrieved, extractive)
    if not passages:
        return extractive
    try:
        output = client.invoke(settings or assistant.settings, messages)
    except Exception as exc:  # noqa: BLE001 - server down, timeout, malformed reply, bad settings
        log.warning("language model unavailable (%s); extractive answer returned", client.describe_error(exc))
        return with_notice(extractive, prompts.NOTICE_UNAVAILABLE)
    draft = Draft(assistant, passages, extractive)
    for sentence in split_output(output):
        draft.add(sentence)
    return draft.finish()


def stream_synthesis(assistant, query: Query, retrieved: list[Retrieved], extractive: Answer,
                     settings=None) -> Iterator[dict]:
    """Events as the model writes: {"type": "sentence", "markdown": "... [1]."} for each sentence
    once it is complete and verified (unverified ones are never sent), then
    {"type": "answer", "answer": Answer}. The final answer replaces what was streamed: it may be the
    extractive answer (mode "extractive") when too little was verified or the model failed."""
    passages, messages = _prepare(assistant, query, retrieved, extractive)
    if not passages:
        yield {"type": "answer", "answer": extractive}
        return
    draft = Draft(assistant, passages, extractive)
    buffer, done = "", 0
    try:
        for piece in client.stream(settings or assistant.settings, messages):
            buffer += piece
            sentences = split_output(buffer)
            # The last sentence may still be growing; the others are complete.
            for raw in sentences[done:len(sentences) - 1]:
                shown = draft.add(raw)
                if shown:
                    yield {"type": "sentence", "markdown": shown}
            done = max(done, len(sentences) - 1)
            if draft.full:
                buffer = ""  # enough sentences: stop reading (red team LLM6)
                break
    except Exception as exc:  # noqa: BLE001
        log.warning("language model unavailable (%s); extractive answer returned", client.describe_error(exc))
        yield {"type": "answer", "answer": with_notice(extractive, prompts.NOTICE_UNAVAILABLE)}
        return
    for raw in split_output(buffer)[done:]:
        shown = draft.add(raw)
        if shown:
            yield {"type": "sentence", "markdown": shown}
    yield {"type": "answer", "answer": draft.finish()}


def condense(settings, question: str, history: list[dict] | None) -> str:
    """A follow-up ("and if he's 17?") rewritten as a standalone question, for retrieval only.
    The original question whenever the model is off, fails, or returns something odd."""
    earlier = previous_user_turns(history)
    if not settings.llm or not earlier:
        return question
    try:
        output = client.invoke(settings, prompts.condense_messages(question, earlier[-3:]))
    except Exception as exc:  # noqa: BLE001
        log.warning("could not condense the follow-up (%s)", client.describe_error(exc))
        return question
    lines = [ln.strip() for ln in output.strip().splitlines() if ln.strip()]
    standalone = lines[0].strip().strip('"') if len(lines) == 1 else ""
    if not standalone or len(standalone) > settings.max_question_chars or INJECTION.search(standalone):
        return question
    return standalone
