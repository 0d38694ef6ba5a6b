"""Documents in, chunks with pinpoints out, into a local Chroma index."""

from assistant.offline import enforce_offline

enforce_offline()
