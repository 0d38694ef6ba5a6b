"""The citation panel: highlighted passage, kind of source, verification status, link."""

from __future__ import annotations

from assistant.answer import Citation
from assistant.web import panel


def citation(**kw) -> Citation:
    base = dict(n=2, source_id="gl-c71-s37p", title="G.L. c.71 §37P", kind="official",
                pinpoint="G.L. c.71 §37P(b)", section="(b)", page=3,
                url="https://malegislature.gov/Laws/GeneralLaws/PartI/TitleXII/Chapter71/Section37P",
                quote="The officer shall not serve as a school disciplinarian.",
                quotes=["The officer shall not serve as a school disciplinarian."],
                chunk_text="(b) Duties.  The officer shall not serve   as a school disciplinarian. "
                           "Other text <script>alert(1)</script> follows.",
                as_of="2021-01-01", status="")
    base.update(kw)
    return Citation(**base)


def test_passage_is_escaped_and_the_quote_highlighted_despite_whitespace():
    html = panel.citation_html(citation())
    assert "<mark>The officer shall not serve   as a school disciplinarian.</mark>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "(b) Duties." in html and "follows." in html


def test_panel_says_what_kind_of_source_and_where():
    html = panel.citation_html(citation())
    assert "Official text" in html
    assert "G.L. c.71 §37P(b)" in html and "<dd>3</dd>" in html
    assert 'href="https://malegislature.gov/' in html and 'rel="noopener noreferrer"' in html
    assert "Not yet verified" not in html
    guide = panel.citation_html(citation(kind="guide", status="unverified"))
    assert "Plain-language guide" in guide and "Not yet verified" in guide
    user = panel.citation_html(citation(kind="user", url="", page=None))
    assert "Your document" in user and "href" not in user


def test_unsafe_urls_are_not_linked():
    html = panel.citation_html(citation(url="javascript:alert(1)"))
    assert "javascript:" not in html


def test_quote_missing_from_passage_is_still_shown():
    html = panel.citation_html(citation(chunk_text="Something else entirely."))
    assert "<mark>The officer shall not serve as a school disciplinarian.</mark>" in html


def test_choice_label_and_notice():
    assert panel.choice_label(citation()) == "[2] G.L. c.71 §37P, G.L. c.71 §37P(b), p. 3"
    upload = citation(n=3, kind="user", title="district-mou.pdf", pinpoint="district-mou.pdf §4", page=1)
    assert panel.choice_label(upload) == "[3] district-mou.pdf, §4, p. 1"
    notice = panel.notice_html("2023-04-20")
    assert "General information, not legal advice." in notice and "2023-04-20" in notice
    assert panel.latest_as_of({"sources": {"a": {"as_of": "2019-01-01"}, "b": {"as_of": "2023-04-20"},
                                           "c": {"as_of": ""}}}) == "2023-04-20"
    assert panel.latest_as_of({}) is None
