"""SRO Policy Assistant: cited answers about school resource officers in Massachusetts."""

from assistant.offline import enforce_offline

enforce_offline()

from assistant.settings import Settings  # noqa: E402

__all__ = ["Assistant", "Settings"]


def __getattr__(name: str):
    # Imported lazily so `import assistant` stays light for the CLI's --help.
    if name == "Assistant":
        from assistant.engine import Assistant

        return Assistant
    raise AttributeError(name)
