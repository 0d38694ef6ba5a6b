"""Print the README's coverage table: what the guide answers, file by file
(`python -m ingest.guide_table`)."""

from __future__ import annotations

from collections import defaultdict

from assistant.registry import load_registry
from assistant.settings import Settings
from ingest.guide import load_guide


def guide_table() -> str:
    settings = Settings()
    errors: list[str] = []
    docs = list(load_guide(settings.guide_dir, load_registry(settings.registry_path), errors))
    by_file: dict[str, list] = defaultdict(list)
    for doc in docs:
        by_file[doc.path.rsplit("/", 1)[-1]].append(doc)
    lines = ["| topic (file) | cards | verified | for example |", "|---|---:|---:|---|"]
    for name in sorted(by_file):
        cards = by_file[name]
        topic = cards[0].title.removeprefix("Plain-language guide: ")
        verified = sum(d.status == "verified" for d in cards)
        lines.append(f"| {topic} (`{name}`) | {len(cards)} | {verified} | {cards[0].section} |")
    verified = sum(d.status == "verified" for d in docs)
    lines.append(f"\n{len(docs)} cards in {len(by_file)} files: {verified} verified, "
                 f"{len(docs) - verified} unverified.")
    return "\n".join(lines)


if __name__ == "__main__":
    print(guide_table())
