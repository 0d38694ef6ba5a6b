"""One typed settings object for the whole project (env prefix SRO_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

Audience = Literal["teacher", "parent", "administrator"]


class Settings(BaseSettings):
    """Every knob of the assistant. Each field can be set as SRO_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="SRO_", extra="ignore")

    data_dir: Path = Field(
        PROJECT_ROOT / "data",
        description="Folder holding the Chroma index, its manifest and fetched documents.",
    )
    corpus_mirror: Path | None = Field(
        None,
        description="Offline mirror of official texts (e.g. ../shared/corpus/raw) ingested by default.",
    )
    guide_dir: Path = Field(
        PROJECT_ROOT / "corpus" / "guide",
        description="Folder of the plain-language guide, ingested by default.",
    )
    registry_path: Path = Field(
        PROJECT_ROOT / "corpus" / "sources.toml",
        description="Registry of official documents (ids, citations, URLs, dates).",
    )
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (http://host:port); unset means a local PersistentClient in data_dir.",
    )
    collection_prefix: str = Field(
        "sro", description="Prefix of the Chroma collection names the index uses."
    )
    embedding_model: Path | None = Field(
        None,
        description="Folder of a sentence-transformers model; unset means the bundled all-MiniLM-L6-v2.",
    )
    embed_max_tokens: int = Field(
        256, description="Word pieces of a chunk the embedding model reads; fewer is faster, the rest is cut."
    )
    chunk_max_chars: int = Field(
        1200, description="Largest chunk, in characters; longer provisions split between sentences."
    )
    chunk_min_chars: int = Field(
        100, description="Provisions shorter than this are merged with the next one under the same parent."
    )
    max_file_mb: float = Field(
        25.0, description="Files larger than this (in MB) are refused by ingest."
    )
    upload_max_mb: float = Field(
        20.0, description="Largest document a chat user may upload, in MB."
    )
    upload_max_chars: int = Field(
        2_000_000, description="Most characters of text an uploaded document may hold (a longer one is refused)."
    )
    upload_max_chunks: int = Field(
        2000, description="Most passages an uploaded document may be split into (a longer one is refused)."
    )
    upload_batch: int = Field(
        4, description="Passages of an upload embedded per turn at the model; a question waits one batch at most."
    )
    retrieval_k: int = Field(12, description="How many chunks retrieval returns after fusion.")
    candidate_k: int = Field(
        30, description="How many candidates each retriever (dense, BM25) contributes to fusion."
    )
    hybrid: bool = Field(
        True, description="Fuse dense and BM25 results (reciprocal rank fusion); false means dense only."
    )
    rrf_k: int = Field(20, description="The k constant of reciprocal rank fusion.")
    per_source: int = Field(
        0, description="Chunks of one source (e.g. one guide section) allowed in the top results before others; 0 = no limit."
    )
    expand_dense: bool = Field(
        True, description="Also add the everyday-word expansions to the dense query (BM25 always gets them)."
    )
    max_question_chars: int = Field(
        2000, description="Questions longer than this are refused with a polite message."
    )
    answer_sentences: int = Field(
        7, description="How many sentences a language model may write from (LLM mode only)."
    )
    abstain_threshold: float = Field(
        0.45,
        description="Minimum support score (0-1) of the best passage; below it the assistant abstains.",
    )
    card_threshold: float = Field(
        0.5,
        description="Minimum cosine between the question and a card's best key (question, asks, lead) to answer from it.",
    )
    card_key_weight: float = Field(
        8.0, description="Card score added per unit of cosine between the question and the card's best key "
                         "(question, asks, lead)."
    )
    card_bm25_weight: float = Field(
        3.0, description="Card score added for BM25 over the whole card, scaled so the best card gets 1."
    )
    card_classifier_weight: float = Field(
        1.0, description="Weight of the card classifier's log-probability in a card's score (trained on the "
                         "cards' keys at load; 0 = off)."
    )
    card_body_weight: float = Field(
        0.0, description="Card score added per unit of cosine between the question and the card's own text "
                         "vector (0 = off)."
    )
    second_card_margin: float = Field(
        0.01,
        description="Show a second card's lead too when its best key is within this cosine of the first card's.",
    )
    second_card_ratio: float = Field(
        0.5, description="Also show a second card's lead when the card classifier gives it at least this share of "
                          "the first card's probability (above 1 = never)."
    )
    related_questions: int = Field(2, description="How many related questions (other cards) an answer offers.")
    related_floor: float = Field(
        0.45, description="Minimum cosine for a card to be offered as a related question or suggestion."
    )
    checklist_path: Path = Field(
        PROJECT_ROOT / "corpus" / "mou-checklist.toml",
        description="Elements a district SRO agreement is expected to contain (the agreement review).",
    )
    review_addressed: float = Field(
        0.6, description="Probability a clause is about an element for the agreement review to call it addressed."
    )
    review_topic_floor: float = Field(
        0.2, description="Probability a clause needs, when it names an element in the element's own words "
        "(its topic patterns), for the agreement review to call the element addressed."
    )
    review_conflict: float = Field(
        0.75, description="Cosine a clause needs with a conflict phrasing for the review's second reading of check."
    )
    review_conflict_topic: float = Field(
        0.3, description="Probability a clause is about an element for the second and third readings of check "
        "to look at it."
    )
    review_stance: float = Field(
        0.9, description="Probability the learned stance model must give that a clause cuts against an element "
        "for the review's third reading of check (chosen by cross-validation on the dev agreements)."
    )
    review_stance_path: Path = Field(
        PROJECT_ROOT / "corpus" / "mou-stance.npz",
        description="The learned stance model (`python -m evals.train_stance` writes it).",
    )
    review_min_elements: int = Field(
        5, description="Fewer elements found than this, and the review says the file is not an SRO agreement."
    )
    fetch_timeout_s: float = Field(20.0, description="Timeout of one download in `corpus fetch`.")
    fetch_retries: int = Field(2, description="Extra attempts of a failed download in `corpus fetch`.")
    host: str = Field("127.0.0.1", description="Address the chat app listens on.")
    port: int = Field(7860, description="Port the chat app listens on.")
    request_max_kb: int = Field(
        2048, description="Largest request body, in KB, on any route without a limit of its own (Gradio's "
                          "JSON routes); a bigger one gets 413 before it is read."
    )
    upload_client_mb: float = Field(
        100.0, description="Most MB one client address may upload (chat uploads and agreement reviews) in "
                           "any 10 minutes; more gets 429 with Retry-After."
    )
    upload_orphan_s: int = Field(
        600, description="Seconds an uploaded file may wait on disk for the page to use it; older ones are "
                         "deleted (a closed tab, a refused type). Uploads are never served back."
    )
    api_queue_limit: int = Field(
        16, description="Questions to /api/ask that may wait for a free worker; more get 503 with Retry-After."
    )
    review_queue_limit: int = Field(
        2, description="Reviews to /api/review that may wait for the one review worker; more get 503."
    )
    header_timeout_s: float = Field(
        10.0, description="Seconds a client has to send a request's headers; a slower one is disconnected."
    )
    keep_alive_s: float = Field(
        5.0, description="Seconds an idle keep-alive connection is held open for the next request."
    )
    log_requests: bool = Field(
        False,
        description="Log questions (with names, emails, phone and ID numbers redacted); off by default.",
    )
    llm: str | None = Field(
        None,
        description="Optional language model: 'ollama:<model>' or 'openai:<model>'; unset means extractive answers only.",
    )
    llm_base_url: str | None = Field(
        None, description="Base URL of the Ollama or OpenAI-compatible server."
    )
    llm_timeout_s: float = Field(30.0, description="Timeout of one language-model call.")
    llm_retries: int = Field(1, description="Extra attempts of a failed language-model call.")
    llm_support_threshold: float = Field(
        0.5, description="Minimum support score of a generated sentence against the passages it cites."
    )

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def manifest_path(self) -> Path:
        return self.data_dir / "manifest.json"

    @property
    def fetched_dir(self) -> Path:
        return self.data_dir / "fetched"


def settings_table() -> str:
    """The README's table of settings, made from the fields above (a test keeps the two equal)."""
    rows = ["| variable | default | what it does |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, Path):
            default = default.relative_to(PROJECT_ROOT) if default.is_relative_to(PROJECT_ROOT) else default
        rows.append(f"| `SRO_{name.upper()}` | `{default}` | {field.description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_table())
