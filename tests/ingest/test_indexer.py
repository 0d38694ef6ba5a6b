"""The index: content-hash ids, skip what is stored, atomic switch, bad files change nothing."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from assistant.settings import Settings
from assistant.store import VectorStore
from ingest.indexer import UserFile, build_index
from tests.conftest import MIRROR, ROOT
from tests.pdfs import make_encrypted_pdf, make_pdf

GUIDE_ONLY_FIXTURE = """---
source_id: gl-c71-s37p
title: "Test guide"
---

## Who handles swearing in class in this test guide?
<!--
id: test-swearing
asks: ["student swore at me", "swearing in class", "who deals with cursing", "kid cussed at the teacher"]
cites: ["G.L. c.71 §37P"]
audience: [teacher]
url: https://malegislature.gov/Laws/GeneralLaws/PartI/TitleXII/Chapter71/Section37P
as_of: "2020-12-31"
status: unverified
-->
As we understand it, swearing in class is handled by the principal in this test guide.
"""


def small_settings(data_dir: Path, tmp_path: Path) -> Settings:
    guide = tmp_path / "guide"
    guide.mkdir(exist_ok=True)
    (guide / "test.md").write_text(GUIDE_ONLY_FIXTURE)
    return Settings(data_dir=data_dir, guide_dir=guide, corpus_mirror=None)


def test_reingest_of_unchanged_files_adds_nothing(data_dir, tmp_path, embedder):
    settings = small_settings(data_dir, tmp_path)
    first = build_index(settings, embedder=embedder, progress=False)
    assert first.added == first.total > 0 and first.changed
    again = build_index(settings, embedder=embedder, progress=False)
    assert again.added == 0 and not again.changed and again.collection == first.collection


def test_a_link_corrected_without_touching_the_text_reaches_the_index(data_dir, tmp_path, embedder):
    # A legal correction is often only a link, a late pinpoint or a date; the old chunk must not
    # survive it (ids once hashed only the text, heading and first cites).
    settings = small_settings(data_dir, tmp_path)
    build_index(settings, embedder=embedder, progress=False)
    card = settings.guide_dir / "test.md"
    new_url = "https://www.mass.gov/regulations/555-CMR-1000-school-resource-officer-certification"
    card.write_text(card.read_text().replace(
        "url: https://malegislature.gov/Laws/GeneralLaws/PartI/TitleXII/Chapter71/Section37P", f"url: {new_url}"))
    report = build_index(settings, embedder=embedder, progress=False)
    assert report.changed and report.added == 1 and report.removed == 1
    _, stored = VectorStore(settings).all_chunks(report.collection)
    assert [c.url for c in stored if c.is_card] == [new_url]


def test_user_file_is_added_and_kept(data_dir, tmp_path, embedder):
    settings = small_settings(data_dir, tmp_path)
    build_index(settings, embedder=embedder, progress=False)
    pdf = make_pdf(tmp_path / "district-mou.pdf", ["Section 1. Purpose\nOur district SRO answers to the principal."])
    report = build_index(settings, [UserFile(pdf, "user:district", "District MOU")], embedder=embedder, progress=False)
    assert report.added >= 1 and report.kept >= 1
    # A later ingest that does not name the file keeps it.
    later = build_index(settings, embedder=embedder, progress=False)
    assert later.added == 0
    store = VectorStore(settings)
    _, chunks = store.all_chunks(store.active_name())
    user = [c for c in chunks if c.origin == "user"]
    assert user and user[0].page == 1 and user[0].title == "District MOU"


def test_bad_files_leave_the_index_unchanged(data_dir, tmp_path, embedder):
    settings = small_settings(data_dir, tmp_path)
    build_index(settings, embedder=embedder, progress=False)
    manifest_before = settings.manifest_path.read_text()
    bad = []
    (tmp_path / "empty.pdf").write_bytes(b"")
    bad.append(tmp_path / "empty.pdf")
    bad.append(make_encrypted_pdf(tmp_path / "locked.pdf"))
    (tmp_path / "corrupt.pdf").write_bytes(b"%PDF-1.4 broken")
    bad.append(tmp_path / "corrupt.pdf")
    (tmp_path / "binary.pdf").write_bytes(os.urandom(4096).replace(b"%PDF", b"XXXX"))
    bad.append(tmp_path / "binary.pdf")
    with open(tmp_path / "huge.pdf", "wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate(50 * 1024 * 1024)
    bad.append(tmp_path / "huge.pdf")
    report = build_index(settings, [UserFile(p) for p in bad], embedder=embedder, progress=False)
    assert len(report.errors) == len(bad)
    for path, error in zip(bad, report.errors):
        assert str(path) in error and "\n" not in error
    assert settings.manifest_path.read_text() == manifest_before


def test_crash_mid_ingest_leaves_the_old_index_answering(data_dir, tmp_path, embedder):
    settings = small_settings(data_dir, tmp_path)
    build_index(settings, embedder=embedder, progress=False)
    old = VectorStore(settings).active_name()
    big = tmp_path / "big.md"
    big.write_text("\n\n".join(f"Paragraph {i}. The district rule number {i} is written here in full." for i in range(400)))
    # A real process, killed with SIGKILL while it writes the second batch of embeddings.
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from assistant.embeddings import load_embedder
        from assistant.settings import Settings
        from ingest.indexer import UserFile, build_index
        embedder = load_embedder()
        real = embedder.embed_passages
        calls = []
        def dying_embed(texts, spans, **kw):
            calls.append(1)
            if len(calls) == 2:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(texts, spans, **kw)
        embedder.embed_passages = dying_embed
        settings = Settings(data_dir={str(data_dir)!r}, guide_dir={str(settings.guide_dir)!r}, corpus_mirror=None)
        build_index(settings, [UserFile({str(big)!r})], embedder=embedder, progress=False)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    store = VectorStore(settings)
    assert store.active_name() == old
    assert len([n for n in store.collection_names() if n != old]) == 1  # the half-built one
    from assistant.engine import Assistant

    answer = Assistant.load(settings).ask("Who handles swearing in class?", audience="teacher")
    assert not answer.abstained and "principal" in answer.markdown
    # The next run finishes the job and clears the half-built collection.
    report = build_index(settings, [UserFile(big)], embedder=embedder, progress=False)
    assert report.changed and VectorStore(settings).collection_names() == [report.collection]


def test_manifest_lists_sources(data_dir, tmp_path, embedder):
    settings = small_settings(data_dir, tmp_path)
    build_index(settings, embedder=embedder, progress=False)
    manifest = json.loads(settings.manifest_path.read_text())
    assert manifest["embedding_model"] == "all-MiniLM-L6-v2"
    assert manifest["sources"]["guide:test-swearing"]["chunks"] == 1


class CountingEmbedder:
    """The real model, counting how many texts it embeds one by one (not inside a passage)."""

    def __init__(self, real):
        self.real, self.alone = real, 0
        self.name, self.dimension = real.name, real.dimension

    def embed(self, texts, batch_size=16):
        self.alone += len(texts)
        return self.real.embed(texts, batch_size)

    def embed_passages(self, texts, spans, batch_size=16):
        return self.real.embed_passages(texts, spans, batch_size)


def test_sentence_vectors_come_from_the_chunk_pass(data_dir, tmp_path, embedder):
    from assistant import sentence_cache
    from assistant.cards import card_keys
    from assistant.sentences import quotable_sentences
    from ingest.indexer import UserFile

    guide = tmp_path / "guide"
    guide.mkdir()
    (guide / "practical-teacher-involve-sro.md").write_text(
        (ROOT / "corpus" / "guide" / "practical-teacher-involve-sro.md").read_text())
    policy = tmp_path / "district-policy.txt"
    policy.write_text("\n\n".join(
        f"Section {i}. The district officer keeps a log of every visit number {i}. The principal reviews "
        f"the log each month and reports to the committee about item {i}." for i in range(1, 15)))
    settings = Settings(data_dir=data_dir, guide_dir=guide, corpus_mirror=None)
    counting = CountingEmbedder(embedder)
    report = build_index(settings, [UserFile(policy)], embedder=counting, progress=False)
    store = VectorStore(settings)
    _, chunks = store.all_chunks(report.collection)
    # Cards are shown by paragraph, so only the other chunks' sentences are cached.
    wanted = {s for c in chunks if not c.is_card for s in quotable_sentences(c.text)}
    texts, vectors = sentence_cache.load(sentence_cache.path_for(settings, report.collection))
    assert wanted and set(texts) == wanted and len(vectors) == len(texts)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # Only sentences past the model's token limit are embedded on their own, besides the cards'
    # search keys, which are short and meant to be read alone.
    keys = {k for c in chunks if c.is_card for k in card_keys(c)}
    assert keys and counting.alone - len(keys) < 0.1 * len(wanted)


def test_a_cache_of_sentences_embedded_alone_is_rebuilt_from_the_passages(data_dir, tmp_path, embedder):
    from assistant import sentence_cache

    from ingest.indexer import UserFile

    settings = small_settings(data_dir, tmp_path)
    policy = tmp_path / "policy.txt"  # cards are not cached sentence by sentence: a plain text is
    policy.write_text("The officer keeps a visit log. The principal reviews the log every month. "
                      "The committee hears the report each spring.")
    report = build_index(settings, [UserFile(policy)], embedder=embedder, progress=False)
    path = sentence_cache.path_for(settings, report.collection)
    texts, in_passage = sentence_cache.load(path)
    assert texts
    # What an older version saved: each sentence embedded on its own, and no "kind".
    np.savez(path, texts=np.array(texts, dtype=str), vectors=embedder.embed(texts))
    assert sentence_cache.load(path)[0] == []  # not mixed in
    build_index(settings, [UserFile(policy)], embedder=embedder, progress=False)
    again_texts, again = sentence_cache.load(path)
    assert sorted(again_texts) == sorted(texts)
    before = dict(zip(texts, in_passage))
    assert all(np.allclose(vec, before[text], atol=1e-5) for text, vec in zip(again_texts, again))
