"""Checks every sentence the model wrote against the passages it cites.

A sentence is verified when it cites at least one valid passage number and
- lexical support (share of its content words found in the cited passages) and embedding
  support (cosine with the closest sentence, or pair of sentences, of those passages) combine
  to at least the threshold, each above its own floor;
- every number, date and section token in it ("45", "2020", "§37P", "eighteen") is in them;
- it is negated exactly when the closest cited text is, says "must" only where that text states a
  duty or a prohibition, and says "always", "any", "only"... only where the cited passages do;
- it does not repeat instructions (prompt-injection echo).
Anything else is removed before an answer is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from assistant.llm.passages import Passage
from assistant.query import INJECTION
from assistant.retrieval import tokenize
from assistant.sentences import collapse_whitespace, split_sentences

MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*)\]")
MARKERS_AFTER_STOP = re.compile(r"([.?!])((?:\s*\[\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*\])+)")
LIST_PREFIX = re.compile(r"^\s*(?:[-*•>]+|\d{1,2}[.)])\s+")
NUMBER = re.compile(r"§*\s*\d[\d,]*(?:\.\d+)*[a-z]?\b", re.I)
NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
    "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90", "hundred": "100", "thousand": "1000",
    "million": "1000000", "first": "1", "second": "2", "third": "3",
}
# A link, a web address or markup: a model could invent one; it is never a plain-language fact.
LINK_OR_MARKUP = re.compile(r"\]\(|<[a-z/!]|https?://|www\.", re.I)
# Addresses without a scheme: "evil-example.com/sro", "x@evil.example", "mailto:x", "javascript:".
# Chat renderers turn them into live links (red team LLM4). "U.S.C.", "G.L." and "c.71" are not
# matched: a domain here needs a label of two or more characters before a lower-case TLD.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
SCHEME = re.compile(r"\b(?:mailto|javascript|data|vbscript|file|ftp|tel|sms):", re.I)
DOMAIN = re.compile(r"\b(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+(?:com|org|net|gov|edu|mil|int|info|io|co|us|"
                    r"biz|app|dev|example|test|local|online|site|xyz|me|ly|[a-z]{2})\b(?:/(?:[^\s)\]]*[^\s)\].,;:!?])?)?")
NEGATION = re.compile(r"\b(not|no|never|cannot|neither|nor|none|nothing|nobody)\b|n['’]t\b", re.I)
# Words that widen or narrow a rule: the cited passages must use them too.
ABSOLUTES = re.compile(r"\b(always|every|everyone|all|any|anyone|anything|only|automatically|immediately)\b", re.I)
OBLIGATION = re.compile(r"\b(must|required|requires|require|has to|have to|shall|obligated|mandatory)\b", re.I)
# Words a plain-language rewrite may add without adding a fact.
PLAIN_WORDS = {"also", "means", "mean", "under", "says", "say", "so", "because", "however", "therefore",
               "child", "children", "kid", "kids", "son", "daughter", "yes", "law", "rule", "rules"}
SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es",
            "s", "ly", "al")

WEIGHT_LEXICAL = 0.5
WEIGHT_COSINE = 0.5
MIN_LEXICAL = 0.6  # at least this share of its content words is in the cited passages
MIN_COSINE = 0.6  # and it is at least this close to one of their sentences (or sentence pairs)


@dataclass
class Checked:
    text: str  # without [n] markers
    cites: list[int]
    verified: bool = False
    reason: str = ""
    lexical: float = 0.0
    cosine: float = 0.0
    support: float = 0.0
    evidence: dict[int, str] = field(default_factory=dict)  # passage n -> closest verbatim unit


def normalize_output(text: str) -> list[str]:
    """Lines of model output, without Markdown decoration; headings and empty lines dropped."""
    text = re.sub(r"```\w*", "", text or "")
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or not re.search(r"[A-Za-z]", MARKER.sub("", line)):
            continue
        if re.fullmatch(r"\*\*[^*]+\*\*:?|[^.?!\[]{1,60}:", line):
            continue  # a heading such as "**Answer**" or "Short answer:"
        line = LIST_PREFIX.sub("", line).replace("**", "").replace("__", "")
        lines.append(MARKERS_AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", line))
    return lines


def split_output(text: str) -> list[str]:
    """The model's sentences, each with its [n] markers."""
    return [s for line in normalize_output(text) for s in split_sentences(line)
            if re.search(r"[A-Za-z]", MARKER.sub("", s))]


def parse_markers(sentence: str) -> tuple[str, list[int]]:
    cites: list[int] = []
    for match in MARKER.finditer(sentence):
        for part in re.split(r"\s*[,;]\s*", match.group(1)):
            bounds = [int(x) for x in re.split(r"\s*[–-]\s*", part) if x]
            lo, hi = bounds[0], bounds[-1]
            cites += list(range(lo, hi + 1)) if 0 < hi - lo < 10 else bounds
    text = collapse_whitespace(MARKER.sub("", sentence))
    text = re.sub(r"\s+([.?!,;:])", r"\1", text)
    return text, list(dict.fromkeys(cites))


def addresses_in(text: str) -> set[str]:
    """E-mail addresses, domains and URI schemes in a text, lower-cased."""
    found = {m.lower() for m in EMAIL.findall(text) + SCHEME.findall(text)}
    found |= {m.group(0).rstrip(".").lower() for m in DOMAIN.finditer(EMAIL.sub(" ", text))
              if not re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", m.group(0).rstrip("."))}  # "U.S", "e.g"
    return found


def numbers_in(text: str) -> set[str]:
    found = {re.sub(r"[§,\s]", "", m.group(0)).lower().rstrip(".") for m in NUMBER.finditer(text)}
    found |= {NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in NUMBER_WORDS}
    return {f for f in found if f}


def stem(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[:-len(suffix)]
    return word


def vocabulary(text: str) -> set[str]:
    """Tokens, stems, 5-letter prefixes and acronyms ("school resource officer" -> "sro") of a text."""
    words = tokenize(text)
    vocab = set(words) | {stem(w) for w in words} | {w[:5] for w in words if len(w) >= 5}
    raw = re.findall(r"[a-z]+", text.lower())
    for size in (2, 3, 4):
        vocab |= {"".join(w[0] for w in raw[i:i + size]) for i in range(len(raw) - size + 1)}
    return vocab


def found(word: str, vocab: set[str]) -> bool:
    return word in vocab or stem(word) in vocab or (len(word) >= 5 and word[:5] in vocab)


# Where one claim ends and another may begin inside a sentence.
# The conjunction stays with its clause: "unless" is itself a claim the cited text must make.
CLAUSE_BREAK = re.compile(r"[;:,\u2013\u2014]|(?=\b(?:unless|except|but|although|though|only if|as long as|provided)\b)",
                          re.I)
MIN_CLAUSE_LEXICAL = 0.5


class Verifier:
    def __init__(self, passages: list[Passage], vectors, threshold: float):
        self.passages = {p.n: p for p in passages}
        self.vectors = vectors  # SentenceVectors: .get(list[str]) -> normalised vectors
        self.threshold = threshold

    def check(self, raw: str) -> Checked:
        text, cites = parse_markers(raw)
        out = Checked(text, cites)
        if not cites:
            out.reason = "no citation"
            return out
        if any(n not in self.passages for n in cites):
            out.reason = "cites a passage that was not given"
            return out
        if INJECTION.search(text):
            out.reason = "repeats instructions"
            return out
        if LINK_OR_MARKUP.search(text):
            out.reason = "contains a link or markup"
            return out
        cited = [self.passages[n] for n in cites]
        # What the reader can check: the passage and the title and pinpoint shown in its citation.
        source = " ".join(f"{p.chunk.title} {p.chunk.pinpoint} {p.text}" for p in cited)
        added = addresses_in(text) - addresses_in(source)
        if added:
            out.reason = f"an address not in the cited passages: {sorted(added)[0]}"
            return out

        missing = numbers_in(text) - numbers_in(source)
        if missing:
            out.reason = f"number not in the cited passages: {sorted(missing)[0]}"
            return out

        vocab = vocabulary(source)
        words = [w for w in tokenize(text) if not any(ch.isdigit() for ch in w) and w not in PLAIN_WORDS]
        out.lexical = sum(found(w, vocab) for w in words) / len(words) if words else 1.0

        sentence_vec = self.vectors.get([text])[0]
        closest = []  # (score, the closest single sentence) of each cited passage
        for passage in cited:
            scores = self.vectors.get(passage.units) @ sentence_vec
            best = int(np.argmax(scores))
            out.evidence[passage.n] = passage.units[best]
            out.cosine = max(out.cosine, float(scores[best]))
            single = int(np.argmax(scores[:passage.singles]))
            closest.append((float(scores[single]), passage.units[single]))
        out.support = WEIGHT_LEXICAL * out.lexical + WEIGHT_COSINE * out.cosine

        evidence = " ".join(unit for _, unit in closest)
        # Polarity is read in the one sentence that supports it best: a "not" elsewhere in a second
        # cited passage must not make a negated claim look supported.
        polarity = max(closest)[1]
        absolutes = {w.lower() for w in ABSOLUTES.findall(text)} - {w.lower() for w in ABSOLUTES.findall(source)}
        weak_clause = self._unsupported_clause(text, vocab)
        if bool(NEGATION.search(text)) != bool(NEGATION.search(polarity)):
            out.reason = "negation differs from the cited text"
        elif absolutes:
            out.reason = f"'{sorted(absolutes)[0]}' not in the cited passages"
        elif OBLIGATION.search(text) and not (OBLIGATION.search(evidence) or NEGATION.search(evidence)):
            out.reason = "obligation not in the cited text"
        elif weak_clause:
            out.reason = f"a clause is not in the cited text: {weak_clause!r}"
        elif out.lexical < MIN_LEXICAL or out.cosine < MIN_COSINE or out.support < self.threshold:
            out.reason = f"weak support ({out.support:.2f})"
        else:
            out.verified = True
        return out

    @staticmethod
    def _unsupported_clause(text: str, vocab: set[str]) -> str | None:
        """A clause whose own words are mostly absent from the cited text. A verbatim sentence with
        "unless the student is Black" or "; never let the principal know" added keeps a high
        sentence-level score (red team LLM3); read clause by clause, the addition stands out."""
        for clause in CLAUSE_BREAK.split(text):
            words = [w for w in tokenize(clause) if not any(ch.isdigit() for ch in w) and w not in PLAIN_WORDS]
            if len(words) >= 2 and sum(found(w, vocab) for w in words) / len(words) < MIN_CLAUSE_LEXICAL:
                return clause.strip()
        return None

    def check_all(self, output: str) -> list[Checked]:
        return [self.check(s) for s in split_output(output)]
