"""Real PDF files for tests, written with fpdf2 and read back through pypdf."""

from __future__ import annotations

from pathlib import Path


def make_pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def make_encrypted_pdf(path: Path, text: str = "A secret policy sentence for testing only.") -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(path.with_suffix(".plain.pdf"), [text])
    writer = PdfWriter()
    for page in PdfReader(str(plain)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="district-only", owner_password="owner", algorithm="AES-128")
    with open(path, "wb") as fh:
        writer.write(fh)
    plain.unlink()
    return path


def make_scanned_pdf(path: Path) -> Path:
    """A page holding only a picture, as a scanner makes: no text layer."""
    from fpdf import FPDF
    from PIL import Image

    image = path.with_suffix(".png")
    Image.new("RGB", (400, 200), (240, 240, 240)).save(image)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(image), x=10, y=10, w=100)
    pdf.output(str(path))
    image.unlink()
    return path


def make_flate_bomb_pdf(path: Path, unpacked_mb: int = 80) -> Path:
    """A real page whose content stream inflates past pypdf's 75 MB limit (LimitReachedError),
    as in red-team U7: about 80 KB on disk."""
    import zlib

    from pypdf import PdfWriter
    from pypdf.generic import EncodedStreamObject, NameObject

    plain = make_pdf(path.with_suffix(".plain.pdf"), ["A page of ordinary text about the district policy."])
    writer = PdfWriter(clone_from=str(plain))
    packer = zlib.compressobj(9)
    stream = EncodedStreamObject()
    stream._data = packer.compress(b" " * (unpacked_mb * 1024 * 1024)) + packer.flush()
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    writer.write(str(path))
    plain.unlink()
    return path
