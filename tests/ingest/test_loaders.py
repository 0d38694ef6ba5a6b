"""Loaders read real files; bad ones give one line naming the file."""

import pytest

from ingest.documents import LoadError
from ingest.loaders import load_file
from tests.pdfs import make_encrypted_pdf, make_pdf, make_scanned_pdf


def load(path, **kw):
    return load_file(path, source_id="user:test", title="Test", max_mb=kw.pop("max_mb", 25), **kw)


def test_pdf_keeps_page_numbers(tmp_path):
    path = make_pdf(tmp_path / "mou.pdf", ["Section 1. Purpose\nThe first page text is here.",
                                           "Section 2. Roles\nThe second page says who handles discipline."])
    doc = load(path)
    assert doc.fmt == "pdf"
    offset = doc.text.index("who handles discipline")
    assert doc.page_at(offset) == 2 and doc.page_at(0) == 1


def test_html_keeps_main_text_only(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><head><script>var tracker=1;</script><style>p{}</style></head><body>"
                    "<nav>Home | Menu</nav><header>Site banner</header><main><h1>Section 37P</h1>"
                    "<p>(a) The main statute text.</p></main><footer>Contact us</footer></body></html>")
    doc = load(path)
    assert "main statute text" in doc.text
    for noise in ("tracker", "Menu", "Site banner", "Contact us"):
        assert noise not in doc.text


def test_markdown_and_text(tmp_path):
    (tmp_path / "a.md").write_text("# Policy\n\nOur district policy sentence.")
    (tmp_path / "b.txt").write_text("Plain text policy.")
    assert "district policy" in load(tmp_path / "a.md").text
    assert load(tmp_path / "b.txt").fmt == "text"


@pytest.mark.parametrize("maker, message", [
    (lambda p: p.write_bytes(b""), "empty file"),
    (lambda p: make_encrypted_pdf(p), "encrypted"),
    (lambda p: p.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref"), "corrupt"),
    (lambda p: p.write_bytes(bytes(range(256)) * 40), "not a PDF"),
    (lambda p: make_scanned_pdf(p), "no text layer"),
])
def test_bad_pdfs_give_one_line_naming_the_file(tmp_path, maker, message):
    path = tmp_path / "bad.pdf"
    maker(path)
    with pytest.raises(LoadError) as err:
        load(path)
    text = str(err.value)
    assert message in text and str(path) in text and "\n" not in text


def test_file_over_the_size_limit(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(LoadError, match="too large"):
        load(path)


def test_mislabelled_and_unsupported(tmp_path):
    fake = tmp_path / "notes.md"
    make_pdf(fake, ["A PDF pretending to be markdown."])
    with pytest.raises(LoadError, match="looks like a PDF"):
        load(fake)
    with pytest.raises(LoadError, match="unsupported file type"):
        load(tmp_path / "sheet.xlsx")
