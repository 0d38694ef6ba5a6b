"""Print the README's table of guide sections and their status (`python -m ingest.guide_table`)."""

from __future__ import annotations

from assistant.registry import load_registry
from assistant.settings import Settings
from ingest.guide import load_guide


def guide_table() -> str:
    settings = Settings()
    errors: list[str] = []
    docs = list(load_guide(settings.guide_dir, load_registry(settings.registry_path), errors))
    lines = ["| file | section | main pinpoint | status |", "|---|---|---|---|"]
    for doc in docs:
        name = doc.path.rsplit("/", 1)[-1]
        lines.append(f"| {name} | {doc.section} | {doc.cites[0]} | {doc.status} |")
    verified = sum(d.status == "verified" for d in docs)
    lines.append(f"\n{len(docs)} sections: {verified} verified, {len(docs) - verified} unverified.")
    return "\n".join(lines)


if __name__ == "__main__":
    print(guide_table())
