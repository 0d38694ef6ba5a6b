"""Language-model mode against a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.llm import fake_server


@pytest.fixture(scope="module")
def model_server():
    server, thread = fake_server.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def no_proxy_for_loopback(monkeypatch):
    """The model client must talk to 127.0.0.1 directly, whatever proxy the shell sets."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


@pytest.fixture(scope="module")
def llm_engine(assistant, model_server):
    """One Assistant over the session index, with the model switched on (settings reset per test)."""
    from assistant.engine import Assistant

    return Assistant(assistant.settings, assistant.store, assistant.embedder, assistant.collection)


@pytest.fixture
def llm_assistant(llm_engine, shared_settings, model_server):
    """Returns the Assistant with llm settings pointing at the fake server; `**overrides` adjust them."""
    model_server.requests.clear()

    def configure(**overrides):
        settings = {"llm": "openai:test-model", "llm_base_url": model_server.base_url,
                    "llm_timeout_s": 2, "llm_retries": 0}
        llm_engine.settings = shared_settings.model_copy(update={**settings, **overrides})
        return llm_engine

    yield configure
    llm_engine.settings = shared_settings
