"""Deterministic metrics: per golden case, then aggregated over the set. No language model.

A result is a plain dict, so the assistant and the vanilla pipeline are scored alike:
    {"abstained": bool, "text": str, "citations": [{"n", "chunk_id", "pinpoint", "cites",
     "quote", "quotes"}], "retrieved": [{"chunk_id", "pinpoint", "cites"}], "latency_ms": float}
"""

from __future__ import annotations

import math
import re

from assistant.registry import pinpoint_covers

K = 5  # recall@K
LEAD_WORDS = 120  # key facts count only in what a reader sees first
_MARKER = re.compile(r"\[(\d+)\]")
SOURCES_HEADING = "**Sources**"


# --- small helpers ---------------------------------------------------------------------
def normalize(text: str) -> str:
    """Lower case, straight quotes, no Markdown emphasis, single spaces: how phrases are matched."""
    text = (text or "").lower().replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("*", "").replace("_", " ")
    # "reasonable-grounds test" says "reasonable grounds"; "17-year-olds" says "17 year olds".
    text = re.sub(r"(?<=\w)[-\u2010\u2011](?=\w)", " ", text)
    return re.sub(r"\s+", " ", text)


def pinpoints_of(item: dict) -> list[str]:
    """The provisions a retrieved chunk or a citation stands for: its pinpoint and what it cites."""
    return [p for p in [item.get("pinpoint") or ""] + list(item.get("cites") or []) if p]


def hits_gold(gold: str, pinpoints: list[str]) -> bool:
    return any(pinpoint_covers(gold, x) or pinpoint_covers(x, gold) for x in pinpoints)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


# --- per-case metrics ----------------------------------------------------------------------
def retrieval_scores(gold: list[str], retrieved: list[dict], k: int = K) -> tuple[float | None, float | None]:
    """(recall@k, reciprocal rank) of the gold pinpoints; (None, None) when there is no gold."""
    if not gold:
        return None, None
    top = [pinpoints_of(r) for r in retrieved[:k]]
    recall = sum(1 for g in gold if any(hits_gold(g, p) for p in top)) / len(gold)
    rr = 0.0
    for rank, pins in enumerate(retrieved, 1):
        if any(hits_gold(g, pinpoints_of(pins)) for g in gold):
            rr = 1.0 / rank
            break
    return recall, rr


def citation_problems(text: str, citations: list[dict], index_ids: set[str]) -> list[str]:
    """Every [n] must resolve to a returned citation; every citation's chunk must be indexed."""
    numbers = {c.get("n") for c in citations}
    problems = [f"[{n}] has no citation" for n in sorted({int(m) for m in _MARKER.findall(text or "")})
                if n not in numbers]
    problems += [f"[{c.get('n')}] chunk {c.get('chunk_id')!r} not in the index"
                 for c in citations if c.get("chunk_id") not in index_ids]
    return problems


def quote_problems(citations: list[dict], chunk_texts: dict[str, str]) -> list[str]:
    """Every quote, and each quoted sentence, must be verbatim in its chunk's stored text."""
    problems = []
    for c in citations:
        stored = chunk_texts.get(c.get("chunk_id"))
        if not c.get("quote"):
            problems.append(f"[{c.get('n')}] has no quote")
        for quote in [c.get("quote") or ""] + list(c.get("quotes") or []):
            if quote and (stored is None or quote not in stored):
                problems.append(f"[{c.get('n')}] quote not verbatim: {quote[:60]!r}")
    return problems


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_WORD = re.compile(r"[a-z][a-z'’-]{3,}")


def sentence_supported(sentence: dict, mode: str, citations: dict[int, dict], chunk_texts: dict[str, str]) -> bool:
    """Quote-or-support, checked here independently of the assistant's own verifier: an
    extractive sentence must stand verbatim in its cited chunk; a model-written one must cite a
    chunk that holds every number it states and most of its words."""
    citation = citations.get(sentence.get("n"))
    if citation is None:
        return False
    source = chunk_texts.get(citation.get("chunk_id"), "")
    text = sentence.get("text", "")
    if mode != "llm":
        return text in source
    if not sentence.get("verified", False):
        return False
    plain = re.sub(r"\[\d+\]", "", text)
    if not set(_NUMBER.findall(plain)) <= set(_NUMBER.findall(source)):  # "5 days" is not in "45 days"
        return False
    words = set(_WORD.findall(plain.lower()))
    found = sum(1 for w in words if w in source.lower())
    return not words or found / len(words) >= 0.6


def support_problems(result: dict, chunk_texts: dict[str, str]) -> list[str] | None:
    sentences = [s for s in result.get("sentences") or [] if s.get("n") is not None]
    if not sentences:
        return None
    citations = {c["n"]: c for c in result.get("citations") or []}
    mode = result.get("mode") or "extractive"
    return [f"unsupported sentence: {s['text'][:80]!r}" for s in sentences
            if not sentence_supported(s, mode, citations, chunk_texts)]


def covered_groups(text: str, groups: list[list[str]]) -> list[bool]:
    body = normalize(text)
    return [any(normalize(s) in body for s in group) for group in groups]


def visible_words(text: str) -> list[str]:
    """The words a reader sees before the list of sources, without citation markers or Markdown marks."""
    body = (text or "").split(SOURCES_HEADING, 1)[0]
    body = _MARKER.sub(" ", body)
    body = re.sub(r"[*_>#`\\]|^\s*- ", " ", body, flags=re.M)
    return body.split()


def lead_text(text: str, n: int = LEAD_WORDS) -> str:
    """The first n words of the answer itself: related questions are other cards' headings, so a key
    fact that only appears there was not said (they still count toward the answer's length)."""
    answer = re.sub(r"\*\*Related questions\*\*\n(?:- .*\n?)*", " ", text or "")
    return " ".join(visible_words(answer)[:n])


def forbidden_found(text: str, phrases: list[str]) -> list[str]:
    body = normalize(text)
    return [p for p in phrases if normalize(p) in body]


def score_case(case: dict, result: dict, index_ids: set[str] | None = None,
               chunk_texts: dict[str, str] | None = None) -> dict:
    """Every metric of one case plus pass/fail. index_ids/chunk_texts None skips the citation checks."""
    answerable = bool(case.get("answerable", True))
    gold = list(case.get("gold_pinpoints") or [])
    text, citations = result.get("text") or "", result.get("citations") or []
    whole = f"{text}\n\n{result.get('more') or ''}"
    recall, rr = retrieval_scores(gold, result.get("retrieved") or [])
    groups = covered_groups(whole, case.get("must_include") or [])
    lead_groups = covered_groups(lead_text(text), case.get("must_include") or [])
    forbidden = forbidden_found(whole, case.get("must_not_include") or [])
    gold_cards = list(case.get("gold_cards") or [])
    top_card = (result.get("cards") or [None])[0]
    card_at_1 = None
    if answerable and gold_cards:
        card_at_1 = not result.get("abstained") and top_card in gold_cards
    length = None if result.get("abstained") else len(visible_words(text))
    cited_gold = any(hits_gold(g, pinpoints_of(c)) for g in gold for c in citations) if gold else None
    cite_issues = None if index_ids is None else citation_problems(text, citations, index_ids)
    if cite_issues is not None and not result.get("abstained") and not citations:
        cite_issues.append("an answer with no citations")
    quote_issues = None if chunk_texts is None else quote_problems(citations, chunk_texts)
    support_issues = None if chunk_texts is None else support_problems(result, chunk_texts)
    if chunk_texts is not None and support_issues is None and not result.get("abstained"):
        support_issues = ["an answer with no cited sentence"]

    failures = []
    if answerable:
        if result.get("abstained"):
            failures.append("abstained on an answerable question")
        failures += [f"missing key fact in the first {LEAD_WORDS} words: {g[0]!r}"
                     for g, ok in zip(case.get("must_include") or [], lead_groups) if not ok]
        if card_at_1 is False:
            failures.append(f"top card {top_card!r} is not one of {gold_cards}")
        if gold and not cited_gold:
            failures.append("no gold pinpoint cited")
    elif not result.get("abstained"):
        failures.append("answered an unanswerable question")
    failures += [f"forbidden claim: {p!r}" for p in forbidden]
    failures += cite_issues or []
    failures += quote_issues or []
    failures += support_issues or []
    return {
        "id": case.get("id"), "category": case.get("category", ""), "answerable": answerable,
        "abstained": bool(result.get("abstained")), "recall_at_5": recall, "rr": rr,
        "cited_gold": cited_gold, "groups": len(groups), "groups_covered": sum(groups),
        "lead_groups_covered": sum(lead_groups), "card_at_1": card_at_1, "top_card": top_card,
        "words": length,
        "forbidden": forbidden, "citation_ok": None if cite_issues is None else not cite_issues,
        "quote_ok": None if quote_issues is None else not quote_issues,
        "support_ok": None if support_issues is None else not support_issues,
        "mode": result.get("mode") or "extractive",
        "has_citations": bool(citations), "latency_ms": float(result.get("latency_ms") or 0.0),
        "passed": not failures, "failures": failures,
    }


# --- the whole set -------------------------------------------------------------------------
def aggregate(scores: list[dict]) -> dict:
    """Overall numbers; a metric with nothing to measure is None."""
    answerable = [s for s in scores if s["answerable"]]
    unanswerable = [s for s in scores if not s["answerable"]]
    abstained = [s for s in scores if s["abstained"]]
    with_gold = [s for s in answerable if s["recall_at_5"] is not None]
    # Every answer (not only those with citations) counts, so an answer that lost its citations
    # lowers citation validity instead of dropping out of the measure.
    answered = [s for s in scores if not s["abstained"]]
    groups = sum(s["groups"] for s in answerable)
    true_abstentions = sum(1 for s in unanswerable if s["abstained"])
    latencies = [s["latency_ms"] for s in scores]
    lengths = [s["words"] for s in scores if s.get("words") is not None]

    def share(items, key):
        values = [1.0 if s[key] else 0.0 for s in items if s[key] is not None]
        return _mean(values)

    return {
        "cases": len(scores),
        "pass_rate": _mean([1.0 if s["passed"] else 0.0 for s in scores]),
        "recall_at_5": _mean([s["recall_at_5"] for s in with_gold]),
        "mrr": _mean([s["rr"] for s in with_gold]),
        "gold_cited": share(answerable, "cited_gold"),
        "citation_validity": share(answered, "citation_ok"),
        "quote_fidelity": share(answered, "quote_ok"),
        "quote_or_support": share(answered, "support_ok"),
        "key_fact_coverage": sum(s["groups_covered"] for s in answerable) / groups if groups else None,
        "lead_coverage": sum(s.get("lead_groups_covered", 0) for s in answerable) / groups if groups else None,
        "card_at_1": share(answerable, "card_at_1"),
        "cards_judged": sum(1 for s in answerable if s.get("card_at_1") is not None),
        "length_p50_words": percentile(lengths, 50),
        "length_p95_words": percentile(lengths, 95),
        "forbidden_rate": _mean([1.0 if s["forbidden"] else 0.0 for s in scores]),
        "abstention_precision": true_abstentions / len(abstained) if abstained else None,
        "abstention_recall": true_abstentions / len(unanswerable) if unanswerable else None,
        "false_refusal_rate": _mean([1.0 if s["abstained"] else 0.0 for s in answerable]),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }
