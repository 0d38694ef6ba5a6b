"""The chat model, built from settings: `ollama:<model>` or `openai:<model>` (any OpenAI-compatible server).

Keys come only from the environment and never appear in logs or error messages.
"""

from __future__ import annotations

import os

from assistant.settings import Settings

PROVIDERS = ("ollama", "openai")
MAX_OUTPUT_TOKENS = 512


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


def invoke(settings: Settings, messages: list[tuple[str, str]]) -> str:
    """One completion as text. Retries (the OpenAI client retries by itself; Ollama here)."""
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


def stream(settings: Settings, messages: list[tuple[str, str]]):
    """Text pieces as the model writes them (no retry once text has started to arrive)."""
    model = build_chat_model(settings, streaming=True)
    for chunk in model.stream(messages):
        piece = text_of(chunk)
        if piece:
            yield piece


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
