"""The chat model, built from settings: `ollama:<model>` or `openai:<model>` (any OpenAI-compatible server).

Keys come only from the environment and never appear in logs or error messages.
"""

from __future__ import annotations

import os
import queue
import re
import threading
import time

from assistant.settings import Settings

PROVIDERS = ("ollama", "openai")
MAX_OUTPUT_TOKENS = 512
# A server may ignore max_tokens (red team LLM6: 1.4 MB of repeats); 512 tokens is about 2,500 characters.
MAX_OUTPUT_CHARS = 8000
# C0/C1 controls (but newline and tab), bidirectional overrides and isolates, zero-width characters and
# the BOM: they reverse or hide text on screen and are never part of a plain-language answer (LLM5).
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f"
                       "\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")


class DeadlineExceeded(TimeoutError):
    """The model did not finish within settings.llm_timeout_s, counted from the first request."""


def strip_invisible(text: str) -> str:
    return INVISIBLE.sub("", text)


class ModelConfigError(ValueError):
    """SRO_LLM is not of the form 'ollama:<model>' or 'openai:<model>'."""


def parse(spec: str | None) -> tuple[str, str]:
    provider, _, model = (spec or "").partition(":")
    provider, model = provider.strip().lower(), model.strip()
    if provider not in PROVIDERS or not model:
        raise ModelConfigError(f"SRO_LLM must be 'ollama:<model>' or 'openai:<model>', not {spec!r}")
    return provider, model


def build_chat_model(settings: Settings, *, streaming: bool = False):
    """A LangChain chat model with the configured timeout and retries; temperature 0."""
    provider, model = parse(settings.llm)
    if provider == "openai":
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=model,
            base_url=settings.llm_base_url,
            api_key=os.environ.get("OPENAI_API_KEY", "not-needed"),
            timeout=settings.llm_timeout_s,
            max_retries=settings.llm_retries,
            temperature=0,
            max_tokens=MAX_OUTPUT_TOKENS,
            streaming=streaming,
        )
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=model,
        base_url=settings.llm_base_url,
        temperature=0,
        num_predict=MAX_OUTPUT_TOKENS,
        client_kwargs={"timeout": settings.llm_timeout_s},
    )


def _invoke_with_retries(settings: Settings, messages: list[tuple[str, str]]) -> str:
    model = build_chat_model(settings)
    attempts = 1 if parse(settings.llm)[0] == "openai" else 1 + max(settings.llm_retries, 0)
    last: Exception | None = None
    for _ in range(attempts):
        try:
            return text_of(model.invoke(messages))
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then reported
            last = exc
    assert last is not None
    raise last


def _pieces(settings: Settings, messages: list[tuple[str, str]]):
    model = build_chat_model(settings, streaming=True)
    for chunk in model.stream(messages):
        piece = text_of(chunk)
        if piece:
            yield piece


_DONE = object()


def _in_background(produce) -> queue.Queue:
    """Run `produce(put)` in a daemon thread; its items, then _DONE or the exception, arrive on a queue.
    httpx's timeout applies to each read, so a server that drips a byte every few seconds never
    trips it (red team LLM8); only a thread the caller stops waiting for gives a real deadline."""
    results: queue.Queue = queue.Queue()

    def run():
        try:
            produce(results.put)
            results.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
            results.put(exc)

    threading.Thread(target=run, name="sro-llm-call", daemon=True).start()
    return results


def _next(results: queue.Queue, deadline: float):
    try:
        item = results.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        raise DeadlineExceeded("no complete answer within the deadline") from None
    if isinstance(item, BaseException):
        raise item
    return item


def invoke(settings: Settings, messages: list[tuple[str, str]]) -> str:
    """One completion as text, within settings.llm_timeout_s in total, retries included
    (the OpenAI client retries by itself; Ollama here). Capped at MAX_OUTPUT_CHARS."""
    deadline = time.monotonic() + settings.llm_timeout_s
    results = _in_background(lambda put: put(_invoke_with_retries(settings, messages)))
    text = _next(results, deadline)
    return strip_invisible(text[:MAX_OUTPUT_CHARS])


def stream(settings: Settings, messages: list[tuple[str, str]]):
    """Text pieces as the model writes them (no retry once text has started to arrive). The whole
    stream must end within settings.llm_timeout_s (DeadlineExceeded otherwise); it stops quietly after
    MAX_OUTPUT_CHARS. The background reader stops at the next piece once nobody is listening."""
    deadline = time.monotonic() + settings.llm_timeout_s
    stop = threading.Event()

    def produce(put):
        for piece in _pieces(settings, messages):
            if stop.is_set():
                return
            put(piece)

    results = _in_background(produce)
    total = 0
    try:
        while total < MAX_OUTPUT_CHARS:
            item = _next(results, deadline)
            if item is _DONE:
                return
            piece = strip_invisible(item[:MAX_OUTPUT_CHARS - total])
            total += len(item)
            if piece:
                yield piece
    finally:
        stop.set()


def text_of(message) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    raise TypeError("the model returned no text")


def describe_error(exc: BaseException) -> str:
    """A log-safe description: the exception type only (messages may echo URLs or keys)."""
    return type(exc).__name__
