"""The hybrid retriever as a LangChain BaseRetriever, for use in any LangChain chain."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from assistant.query import expand
from assistant.retrieval import Filters, HybridRetriever


class SROHybridRetriever(BaseRetriever):
    """Dense + BM25 with reciprocal rank fusion over the assistant's index."""

    assistant: Any
    k: int = 5
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        settings = self.assistant.settings
        retriever = HybridRetriever([self.assistant.shared], self.assistant.embedder,
                                    candidate_k=settings.candidate_k, rrf_k=settings.rrf_k,
                                    hybrid=settings.hybrid)
        results = retriever.retrieve(expand(query), self.k, self.filters)
        return [Document(page_content=r.chunk.text, id=r.chunk.id,
                         metadata={"source_id": r.chunk.source_id, "pinpoint": r.chunk.pinpoint,
                                   "title": r.chunk.title, "origin": r.chunk.origin, "url": r.chunk.url,
                                   "page": r.chunk.page, "as_of": r.chunk.as_of, "score": r.score,
                                   "cites": list(r.chunk.cites)})
                for r in results]
