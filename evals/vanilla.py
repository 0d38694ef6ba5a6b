"""A plain LangChain RAG pipeline over the same documents, for comparison.

RecursiveCharacterTextSplitter(1000/200) -> Chroma (in memory) -> the same MiniLM -> top 4;
the answer is the top chunks' text, its citations the chunks' document-level citations.
"""

from __future__ import annotations

import time

TOP_K = 4
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200


def langchain_documents(settings, registry) -> list:
    """Our ingest's documents as LangChain Documents, with where each comes from."""
    from langchain_core.documents import Document as LCDocument

    from ingest.indexer import collect_documents

    errors: list[str] = []
    docs = collect_documents(settings, registry, [], errors)
    out = []
    for doc in docs:
        # No pinpoint below the document level: a guide section stands for its first cite.
        pinpoint = doc.cites[0] if doc.origin == "guide" and doc.cites else doc.citation
        out.append(LCDocument(page_content=doc.text, metadata={
            "source_id": doc.source_id, "citation": doc.citation, "pinpoint": pinpoint,
            "url": doc.url, "origin": doc.origin, "cites": "|".join(doc.cites)}))
    return out


class VanillaRAG:
    def __init__(self, settings, embedder=None):
        import chromadb
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from assistant.embeddings import load_embedder
        from assistant.registry import load_registry

        self.embedder = embedder or load_embedder(
            str(settings.embedding_model) if settings.embedding_model else None)
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        chunks = splitter.split_documents(langchain_documents(settings, load_registry(settings.registry_path)))
        for i, chunk in enumerate(chunks):
            chunk.metadata["chunk_id"] = f"vanilla-{i}"
        client = chromadb.EphemeralClient(settings=chromadb.config.Settings(anonymized_telemetry=False))
        self.store = Chroma(client=client, collection_name=f"vanilla-{id(self)}",
                            embedding_function=self.embedder)
        if chunks:
            self.store.add_documents(chunks, ids=[c.metadata["chunk_id"] for c in chunks])
        self.size = len(chunks)

    def ask(self, question: str) -> dict:
        """A result in the shape evals.metrics scores: answer text, citations, ranked chunks."""
        began = time.perf_counter()
        docs = self.store.similarity_search(question, k=TOP_K) if self.size else []
        retrieved, citations = [], []
        for n, doc in enumerate(docs, 1):
            meta = doc.metadata
            cites = [c for c in str(meta.get("cites", "")).split("|") if c]
            item = {"chunk_id": meta.get("chunk_id"), "source_id": meta.get("source_id"),
                    "pinpoint": meta.get("pinpoint"), "cites": cites, "origin": meta.get("origin"),
                    "text": doc.page_content}
            retrieved.append(item)
            citations.append({"n": n, "chunk_id": item["chunk_id"], "pinpoint": item["pinpoint"],
                              "cites": cites, "source_id": item["source_id"], "quote": "", "quotes": []})
        # A retrieved guide chunk stands for the card it was cut from, so card@1 is scored alike.
        cards = [str(r["source_id"]).removeprefix("guide:") if str(r.get("source_id", "")).startswith("guide:")
                 else "" for r in retrieved]
        return {"abstained": False, "text": "\n\n".join(d.page_content for d in docs), "cards": cards,
                "citations": citations, "retrieved": retrieved,
                "latency_ms": (time.perf_counter() - began) * 1000}
