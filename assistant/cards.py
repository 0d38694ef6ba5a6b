"""Card retrieval: find the answer card whose question the reader is asking.

Each guide card is searched by several short vectors (its heading, each of its `asks`, its
lead), and the best of them is the card's dense score: the multi-vector / hypothetical-question
pattern of LangChain's MultiVectorRetriever, kept in our own code because the key vectors live
in a small matrix beside the index (one matrix product per question, no second Chroma
collection to keep in step with the first). The card classifier's log-probability, the best key's
cosine and BM25 over the whole card are added as scores, not ranks: a rank throws away how sure
each signal is, so a classifier barely preferring one sibling outvoted keys and BM25 that both
clearly preferred the other. See README "How an answer is built".
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.card_classifier import CardClassifier
from assistant.retrieval import BM25Index
from assistant.settings import Settings
from ingest.documents import Chunk

# What the vectors are: each key embedded alone (a change of this makes old files rebuild).
KIND = "card-keys-1"
SAME_QUESTION = 0.85  # heading cosine above which two cards ask the same thing
# A question that is, word for word or nearly, one of a card's own questions (a related question
# clicked in the page) is answered by that card whatever the other rankings say.
EXACT_MATCH = 0.97


def card_keys(chunk: Chunk) -> list[str]:
    """The short texts a card is found by: its question, the other ways people ask it, its lead."""
    keys = [chunk.section, *chunk.asks, chunk.lead]
    return list(dict.fromkeys(k for k in keys if k))


# --- the key vectors, saved beside the index ---------------------------------------------
def path_for(settings: Settings, collection: str) -> Path:
    return settings.data_dir / f"card-keys-{collection}.npz"


def classifier_path(settings: Settings, collection: str) -> Path:
    return settings.data_dir / f"card-classifier-{collection}.npz"


def load_keys(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            if "kind" not in data.files or str(data["kind"]) != KIND:
                return {}
            return dict(zip((str(t) for t in data["texts"]), data["vectors"].astype(np.float32)))
    except (OSError, ValueError, KeyError):
        return {}  # a damaged file is rebuilt from the cards


def save_keys(path: Path, vectors: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".card-keys-", suffix=".npz")
    os.close(fd)
    texts = list(vectors)
    matrix = np.stack([vectors[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)
    with open(tmp, "wb") as fh:
        np.savez(fh, texts=np.array(texts, dtype=str), vectors=matrix.astype(np.float32), kind=np.array(KIND))
    os.replace(tmp, path)


def build_keys(settings: Settings, collection: str, chunks, embedder, previous: str | None = None) -> dict:
    """Embed every card key not already known (from this index's file or the previous one's), save."""
    wanted = list(dict.fromkeys(k for c in chunks if c.is_card for k in card_keys(c)))
    own = load_keys(path_for(settings, collection))
    known = {**(load_keys(path_for(settings, previous)) if previous and previous != collection else {}), **own}
    missing = [t for t in wanted if t not in known]
    if missing:
        if embedder is None:
            from assistant.embeddings import embedder_for

            embedder = embedder_for(settings)
        known.update(zip(missing, embedder.embed(missing)))
    keep = {t: known[t] for t in wanted}
    if set(keep) != set(own):
        save_keys(path_for(settings, collection), keep)
    return keep


# --- search -------------------------------------------------------------------------------
@dataclass
class CardHit:
    chunk: Chunk
    score: float  # fused score: log-probability plus weighted cosine and BM25
    dense: float  # best cosine between the question and one of the card's keys
    key: str = ""  # the key that matched best
    learned: float = 0.0  # the classifier's probability that this card answers (0 without one)

    @property
    def card_id(self) -> str:
        return self.chunk.source_id.removeprefix("guide:")


class _CardText:
    """What BM25 reads of a card: its question, the ways people ask it, and its whole text."""

    def __init__(self, chunk: Chunk):
        self.chunk = chunk
        self.search_text = " ".join([chunk.section, *chunk.asks, chunk.text])


class CardIndex:
    def __init__(self, chunks: list[Chunk], key_vectors: dict[str, np.ndarray],
                 bm25_weight: float = 1.0, classifier_weight: float = 0.0, key_weight: float = 1.0,
                 body_weight: float = 0.0, classifier_cache: Path | None = None):
        # In id order, not the store's: the classifier and score ties then come out the same on every build.
        self.cards = sorted((c for c in chunks if c.is_card), key=lambda c: c.source_id)
        self.bm25_weight = bm25_weight
        self.classifier_weight = classifier_weight
        self.key_weight = key_weight
        self.body_weight = body_weight
        rows, owners, texts = [], [], []
        for i, card in enumerate(self.cards):
            for key in card_keys(card):
                if key in key_vectors:
                    rows.append(key_vectors[key])
                    owners.append(i)
                    texts.append(key)
        self.matrix = np.stack(rows).astype(np.float32) if rows else np.zeros((0, 1), np.float32)
        self.owners = np.array(owners, dtype=np.int64)
        self.key_texts = texts
        self._texts = [_CardText(c) for c in self.cards]
        self._position = {id(t): i for i, t in enumerate(self._texts)}
        self.bm25 = BM25Index(self._texts)  # type: ignore[arg-type]
        self.by_id = {c.source_id.removeprefix("guide:"): c for c in self.cards}
        self._heading = {c.id: key_vectors.get(c.section) for c in self.cards}
        self.classifier = CardClassifier(self.matrix, self.owners, len(self.cards), cache=classifier_cache) \
            if classifier_weight and len(self.owners) else None

    def same_question(self, a: Chunk, b: Chunk, threshold: float = SAME_QUESTION) -> bool:
        """Two cards whose questions read alike (offering both as follow-ups helps nobody)."""
        va, vb = self._heading.get(a.id), self._heading.get(b.id)
        if va is None or vb is None:
            return a.section.lower() == b.section.lower()
        return float(np.dot(va, vb)) >= threshold

    def __len__(self) -> int:
        return len(self.cards)

    def dense_scores(self, vector: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Each card's best key cosine (and which key), -1 for a card without key vectors."""
        best = np.full(len(self.cards), -1.0, dtype=np.float32)
        which = [""] * len(self.cards)
        if not len(self.owners):
            return best, which
        sims = self.matrix @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-sims, kind="stable")
        # Rows best first: each card's first row in that order is its best key.
        owners, first = np.unique(self.owners[order], return_index=True)
        rows = order[first]
        best[owners] = sims[rows]
        for owner, row in zip(owners, rows):
            which[owner] = self.key_texts[row]
        return best, which

    def search(self, text: str, vectors: list[np.ndarray], k: int = 6, expanded: np.ndarray | None = None,
               body_vectors: dict | None = None) -> list[CardHit]:
        """Cards best first, by the sum of: the classifier's log-probability (times its weight), the
        best key's cosine against the question (several vectors, e.g. a follow-up alone and with the
        turn it follows, and the question with its everyday-word expansions: each card keeps its
        best), BM25 over the whole card scaled to the best card's, and (off by default) the card's
        own text vector. The dense score reported, which the thresholds read, is the best key's
        cosine against the question as asked."""
        if not self.cards:
            return []
        dense, which = self.dense_scores(vectors[0])
        for vector in vectors[1:]:
            other, other_which = self.dense_scores(vector)
            better = other > dense
            dense = np.where(better, other, dense)
            which = [o if b else w for w, o, b in zip(which, other_which, better)]
        keys = dense if expanded is None else np.maximum(dense, self.dense_scores(expanded)[0])
        score = self.key_weight * keys + self.bm25_weight * self._bm25_scaled(text)
        if body_vectors and self.body_weight:
            score += self.body_weight * np.array([float(np.dot(body_vectors[c.id], vectors[0]))
                                                  if c.id in body_vectors else 0.0 for c in self.cards])
        learned = self.classifier.scores(vectors[0]) if self.classifier is not None else None
        if learned is not None:
            score += self.classifier_weight * learned
        hits = []
        for i in np.argsort(-score, kind="stable"):
            if dense[i] <= -1.0:  # no key vector: not findable
                continue
            hit = CardHit(self.cards[int(i)], float(score[i]), float(dense[i]), which[int(i)])
            if learned is not None:
                hit.learned = float(np.exp(learned[i]))
            hits.append(hit)
        exact = sorted((h for h in hits if h.dense >= EXACT_MATCH), key=lambda h: -h.dense)[:1]
        return (exact + [h for h in hits if h not in exact])[:k]

    def _bm25_scaled(self, text: str) -> np.ndarray:
        """BM25 over each card, divided by the best card's (0 for cards sharing no word)."""
        out = np.zeros(len(self.cards))
        for wrapper, value in self.bm25.search(text, len(self.cards)):
            out[self._position[id(wrapper)]] = value
        top = out.max()
        return out / top if top > 0 else out
