"""An agreement review as JSON, as Markdown (the download) and as table rows (the page)."""

from __future__ import annotations

from assistant.agreement_review import ADDRESSED, CHECK, NOT_FOUND, Finding, Review
from assistant.compose import escape_markdown

VERDICT_LABEL = {ADDRESSED: "addressed", NOT_FOUND: "not found", CHECK: "check"}
BASIS_LABEL = {"law": "state or federal law", "model-mou": "the state model MOU",
               "good-practice": "federal guidance or good practice"}
DISCLAIMER = ("This review is an automatic first reading, not legal advice. \"Not found\" means we did not "
              "find a passage, not that the agreement lacks one; \"check\" means a person should read the "
              "passage. It never says a district breaks the law.")


def basis(finding: Finding) -> str:
    """Why the element is expected, with its citation and how far we checked it."""
    e = finding.element
    checked = "checked against the official text" if e.status == "verified" else "not yet checked against the official text"
    return f"{e.why} ({'; '.join(e.cites)}; expected by {BASIS_LABEL.get(e.required_by, e.required_by)}; " \
           f"as of {e.as_of}, {checked}.)"


def to_json(review: Review) -> dict:
    return {
        "document": review.document,
        "pages": len(review.pages),
        "seconds": round(review.seconds, 2),
        "counts": {v: review.count(v) for v in (ADDRESSED, CHECK, NOT_FOUND)},
        "disclaimer": DISCLAIMER,
        "elements": [{
            "id": f.element.id,
            "name": f.element.name,
            "verdict": f.verdict,
            "message": f.message,
            "passages": [{"page": p.page, "text": p.text, "score": p.score, "stance": p.stance, "cue": p.cue}
                         for p in f.passages],
            "why": f.element.why,
            "cites": list(f.element.cites),
            "required_by": f.element.required_by,
            "status": f.element.status,
            "as_of": f.element.as_of,
            "audience": dict(f.element.audience),
        } for f in review.findings],
    }


def table_rows(review: Review) -> list[list[str]]:
    """One row per element: element, verdict, first passage with its page, why (with cites)."""
    rows = []
    for f in review.findings:
        first = f.passages[0] if f.passages else None
        passage = f"p. {first.page}: {first.text}" if first else f.message
        rows.append([f.element.name, VERDICT_LABEL[f.verdict], passage, basis(f)])
    return rows


def to_markdown(review: Review) -> str:
    lines = [f"# SRO agreement review: {escape_markdown(review.document)}", "",
             f"{len(review.pages)} pages; {review.count(ADDRESSED)} elements addressed, "
             f"{review.count(CHECK)} to check, {review.count(NOT_FOUND)} not found.", "", f"_{DISCLAIMER}_", "",
             "| element | verdict | passage | page |", "|---|---|---|---|"]
    for f in review.findings:
        first = f.passages[0] if f.passages else None
        cell = escape_markdown(first.text).replace("|", "\\|") if first else "—"
        lines.append(f"| {f.element.name} | {VERDICT_LABEL[f.verdict]} | {cell} | {first.page if first else ''} |")
    for f in review.findings:
        lines += ["", f"## {f.element.name}: {VERDICT_LABEL[f.verdict]}", "", escape_markdown(f.message), ""]
        for p in f.passages:
            lines.append(f"> {escape_markdown(p.text)} (page {p.page})")
            lines.append("")
        lines.append(f"Why it is expected: {escape_markdown(basis(f))}")
        admin = f.element.audience.get("administrator")
        if admin:
            lines += ["", f"What an administrator can do: {escape_markdown(admin)}"]
    return "\n".join(lines).rstrip() + "\n"
