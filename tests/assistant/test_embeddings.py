"""The bundled model: passage vectors, and sentence vectors read inside their passage."""

import numpy as np

PASSAGE = ("Under FERPA, a parent may inspect the child's education records within 45 days of asking. "
           "A school resource officer who is not a school official may not see those records without consent.")
FIRST = PASSAGE[:PASSAGE.index(" A school")]
SECOND = PASSAGE[len(FIRST) + 1:]


def test_passage_vectors_match_plain_embedding(embedder):
    vectors, _ = embedder.embed_passages([PASSAGE, SECOND], [[], []])
    plain = embedder.embed([PASSAGE, SECOND])
    assert vectors.shape == plain.shape
    assert np.allclose(vectors, plain, atol=1e-4)


def test_span_vectors_are_unit_and_tell_the_sentences_apart(embedder):
    spans = [(0, len(FIRST)), (len(FIRST) + 1, len(PASSAGE))]
    _, (found,) = embedder.embed_passages([PASSAGE], [spans])
    first, second = found
    assert abs(np.linalg.norm(first) - 1) < 1e-5 and abs(np.linalg.norm(second) - 1) < 1e-5
    alone_first, alone_second = embedder.embed([FIRST, SECOND])
    assert float(first @ alone_first) > float(first @ alone_second)
    # A span also carries its passage's context, so the question decides between them.
    query = embedder.embed(["can a police officer who is not a school official look at records"])[0]
    assert float(query @ second) > float(query @ first)
    assert float(first @ second) < 0.99


def test_a_span_past_the_token_limit_gets_none(embedder):
    filler = "The officer wrote a report about the event in the hallway. " * 60  # far over 256 tokens
    tail = "This last sentence is cut off by the token limit."
    text = filler + tail
    _, (found,) = embedder.embed_passages([text], [[(0, 20), (len(filler), len(text))]])
    assert found[0] is not None and found[1] is None
