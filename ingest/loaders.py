"""Loaders: turn one file into a Document, or raise a one-line LoadError naming it."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from ingest.documents import ORIGIN_USER, Document, LoadError

TEXT_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED = sorted({".pdf", *TEXT_SUFFIXES, *HTML_SUFFIXES})

# Elements that hold navigation, scripts or page furniture rather than the document.
HTML_NOISE = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form",
              "button", "svg", "iframe", "select", "menu"]


def read_checked(path: Path, max_mb: float) -> bytes:
    """The file's bytes, after the checks every format shares."""
    if not path.exists():
        raise LoadError(f"{path}: no such file")
    if not path.is_file():
        raise LoadError(f"{path}: not a file")
    size = path.stat().st_size
    if size == 0:
        raise LoadError(f"{path}: empty file (0 bytes)")
    if size > max_mb * 1024 * 1024:
        raise LoadError(f"{path}: too large ({size / 1048576:.1f} MB; the limit is {max_mb:g} MB)")
    return path.read_bytes()


def sniff(data: bytes) -> str:
    """What the bytes look like, whatever the file is called."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if b"\x00" in data[:8192]:
        return "binary"
    lowered = head.lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<body" in lowered:
        return "html"
    return "text"


def load_file(path: Path, *, source_id: str, title: str, max_mb: float, origin: str = ORIGIN_USER,
              citation: str | None = None, url: str = "", as_of: str = "", jurisdiction: str = "",
              doc_kind: str | None = None) -> Document:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise LoadError(f"{path}: unsupported file type {suffix or '(none)'}; use one of {', '.join(SUPPORTED)}")
    data = read_checked(path, max_mb)
    kind = sniff(data)
    if suffix == ".pdf":
        if kind != "pdf":
            raise LoadError(f"{path}: not a PDF (the file does not start with a PDF header)")
        text, page_starts = pdf_text(path, data)
        fmt = "pdf"
    elif kind in ("pdf", "binary"):
        raise LoadError(f"{path}: looks like {'a PDF' if kind == 'pdf' else 'binary data'}, not {suffix} text")
    else:
        decoded = decode_text(path, data)
        if suffix in HTML_SUFFIXES:
            text, fmt = html_text(decoded), "html"
        else:
            text, fmt = normalize_text(decoded), TEXT_SUFFIXES[suffix]
        page_starts = []
    if not text.strip():
        raise LoadError(f"{path}: no text found")
    return Document(
        source_id=source_id, title=title, origin=origin, doc_kind=doc_kind or origin,
        citation=citation or title, text=text, url=url, as_of=as_of,
        jurisdiction=jurisdiction, path=str(path), fmt=fmt, page_starts=page_starts,
    )


def decode_text(path: Path, data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LoadError(f"{path}: not readable as text (unknown encoding)")


def normalize_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def pdf_text(path: Path, data: bytes) -> tuple[str, list[int]]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf logs warnings about damaged files; the LoadError below already says it.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # noqa: BLE001 - unknown cipher etc. is the same answer
                ok = 0
            if not ok:
                raise LoadError(f"{path}: the PDF is encrypted (password protected); save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    # PyPdfError is the whole family: PdfReadError, and also LimitReachedError, which a
    # decompression bomb raises and which used to abort a whole `ingest` batch (red-team U7).
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            RecursionError) as exc:
        name = type(exc).__name__
        why = "corrupt or unreadable PDF"
        if name == "LimitReachedError":
            why = "the PDF unpacks to more than the safe limit"
        raise LoadError(f"{path}: {why} ({name})") from None
    if not pages:
        raise LoadError(f"{path}: the PDF has no pages")
    parts, starts, offset = [], [], 0
    for page in pages:
        cleaned = normalize_text(page)
        starts.append(offset)
        parts.append(cleaned)
        offset += len(cleaned) + 2
    text = "\n\n".join(parts)
    if len(re.sub(r"\s", "", text)) < 20:
        raise LoadError(f"{path}: the PDF has no text layer (a scan?); run OCR first")
    return text, starts


def html_text(markup: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(HTML_NOISE):
        tag.decompose()
    for tag in soup.select('[role="navigation"], [role="banner"], [role="contentinfo"], .breadcrumb, .skip-link'):
        tag.decompose()
    main = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.find("article") or soup.body or soup
    # Block elements become paragraph breaks so the chunker sees the document's structure.
    for block in main.find_all(["p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section"]):
        block.insert_before("\n\n")
    return normalize_text(main.get_text())
