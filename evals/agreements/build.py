#!/usr/bin/env python3
"""Build the evaluation SRO agreements (PDFs) from their plain-text sources.

    cd /work/main && .venv/bin/python evals/agreements/build.py

Every PDF is rebuilt from ``src/<name>.md`` with fpdf2 core fonts only, a fixed
creation date, and no other time- or machine-dependent input, so a rebuild is
byte-for-byte identical.  After building, ``check_labels.py`` verifies that every
label's evidence is found on its labelled page(s).

Source markup (one block per paragraph, blocks separated by blank lines)
-----------------------------------------------------------------------
``% ...``            comment line, ignored
``# Heading``        level-1 heading (article)
``## Heading``       level-2 heading (section)
``**Run-in.** text`` paragraph whose opening words are bold
``- text``           bulleted item (following lines without a prefix continue it)
``> text``           indented paragraph (sub-clause)
``. text``           literal line, rendered as-is (addresses, signature blocks); ``.`` alone = empty line
``| a | b |``        table row (first row = header; ``|---|`` rows ignored); plain layout only
``!pagebreak``       start a new page
``!title TEXT``      large bold centred line
``!center TEXT``     centred line;  ``!centerb TEXT`` bold centred line
``!space N``         N mm of vertical space
``!font N``          body font size for what follows (``!font`` alone resets)
``!toc``             table of contents of the ``#`` headings with page numbers (two-pass)
``!columns 2|1``     start / stop two-column flow (column layout only)
``!columnbreak``     continue at the top of the next column (column layout only)
"""
from __future__ import annotations

import io
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)

# --------------------------------------------------------------------------- text

_REPLACE = {
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u2022": "-",
    "\u2212": "-", "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ",
}


def latin1(text: str) -> str:
    """Map text onto what the core (Latin-1) fonts can draw."""
    out = []
    for ch in text:
        ch = _REPLACE.get(ch, ch)
        try:
            ch.encode("latin-1")
        except UnicodeEncodeError:
            ch = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1") or "?"
        out.append(ch)
    return "".join(out)


_VOWELS = set("aeiouy")
_DIGRAPHS = {"th", "ch", "sh", "ph", "ck", "wh", "gh", "qu", "ng"}


def _hyphenate_word(word: str) -> str:
    """Insert soft hyphens at VC|CV boundaries of long words (a crude, draft-quality hyphenator)."""
    if len(word) < 9 or not word.isalpha():
        return word
    w = word.lower()
    cuts = []
    for i in range(2, len(w) - 3):
        a, b, c, d = w[i - 1], w[i], w[i + 1], w[i + 2]
        if a in _VOWELS and b not in _VOWELS and c not in _VOWELS and d in _VOWELS and (b + c) not in _DIGRAPHS:
            cut = i + 1
            if cut >= 3 and len(w) - cut >= 4:
                cuts.append(cut)
    for cut in reversed(cuts):
        word = word[:cut] + "\u00ad" + word[cut:]
    return word


def hyphenate(text: str) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: _hyphenate_word(m.group()), text)


# --------------------------------------------------------------------------- parsing

@dataclass
class Block:
    kind: str  # h1 h2 para bullet indent line table cmd
    text: str = ""
    rows: list = field(default_factory=list)


def parse(source: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None

    def flush():
        nonlocal cur
        if cur is not None:
            cur.text = " ".join(cur.text.split())
            blocks.append(cur)
            cur = None

    for raw in source.splitlines():
        line = raw.rstrip()
        if line.startswith("%"):
            continue
        if not line.strip():
            flush()
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                continue
            if cur is not None and cur.kind != "table":
                flush()
            if cur is None:
                cur = Block("table")
            cur.rows.append(cells)
            continue
        if cur is not None and cur.kind == "table":
            flush()
        if line.startswith("!"):
            flush()
            blocks.append(Block("cmd", line[1:].strip()))
        elif line.startswith("## "):
            flush()
            blocks.append(Block("h2", line[3:].strip()))
        elif line.startswith("# "):
            flush()
            blocks.append(Block("h1", line[2:].strip()))
        elif line == "." or line.startswith(". "):
            flush()
            blocks.append(Block("line", line[2:]))
        elif line.startswith("- "):
            flush()
            cur = Block("bullet", line[2:])
        elif line.startswith("> "):
            if cur is None or cur.kind != "indent":
                flush()
                cur = Block("indent", line[2:])
            else:
                cur.text += " " + line[2:]
        else:
            if cur is None:
                cur = Block("para", line)
            else:
                cur.text += " " + line.strip()
    flush()
    return blocks


def toc_titles(blocks: list[Block]) -> list[str]:
    """Level-1 headings that follow the !toc command (those are the ones the TOC lists)."""
    idx = next((i for i, b in enumerate(blocks) if b.kind == "cmd" and b.text == "toc"), None)
    if idx is None:
        return []
    return [b.text for b in blocks[idx + 1:] if b.kind == "h1"]


def split_runin(text: str) -> tuple[str, str]:
    m = re.match(r"\*\*(.+?)\*\*\s*(.*)", text)
    if m:
        return m.group(1), m.group(2)
    return "", text


# --------------------------------------------------------------------------- documents

@dataclass
class Spec:
    name: str
    out: str
    layout: str = "plain"  # plain | columns
    font: str = "Times"
    size: float = 12
    line_h: float = 6.5  # mm, plain layout
    para_gap: float = 2.5
    margins: tuple = (25.4, 22, 25.4)  # left, top, right
    header_left: str = ""
    header_right: str = ""
    header_from: int = 2  # first page carrying the running header
    footer_left: str = ""
    footer_center: str = "Page {p} of {nb}"
    footer_right: str = ""
    footer_from: int = 1
    watermark: str = ""
    hyphenate: bool = False
    col_line_height: float = 1.25  # multiplier, column layout
    title: str = ""


class AgreementPDF(FPDF):
    def __init__(self, spec: Spec):
        super().__init__(format="letter", unit="mm")
        self.spec = spec
        left, top, right = spec.margins
        self.set_margins(left, top, right)
        self.set_auto_page_break(True, margin=22)
        self.set_creation_date(CREATED)
        self.set_title(latin1(spec.title or spec.name))
        self.set_author("SRO Policy Assistant evaluation set (fictional document)")
        self.set_creator("evals/agreements/build.py")
        self.set_producer("fpdf2")
        self.alias_nb_pages("{nb}")

    # running header / footer -------------------------------------------------
    def header(self):
        s = self.spec
        if s.watermark:
            with self.local_context(text_color=(225, 225, 225)):
                self.set_font("Helvetica", "B", 80)
                with self.rotation(45, x=108, y=150):
                    self.text(45, 175, s.watermark)
        if self.page_no() < s.header_from or not (s.header_left or s.header_right):
            self.set_y(self.t_margin)
            return
        self.set_font("Helvetica", "", 8)
        self.set_text_color(60, 60, 60)
        y = 10
        if s.header_left:
            self.set_xy(self.l_margin, y)
            self.cell(0, 4, latin1(s.header_left), align="L")
        if s.header_right:
            self.set_xy(self.l_margin, y)
            self.set_font("Helvetica", "B", 8)
            self.cell(0, 4, latin1(s.header_right), align="R")
        self.set_draw_color(150, 150, 150)
        self.line(self.l_margin, y + 5, self.w - self.r_margin, y + 5)
        self.set_text_color(0, 0, 0)
        self.set_y(self.t_margin)

    def footer(self):
        s = self.spec
        if self.page_no() < s.footer_from:
            return
        self.set_font("Helvetica", "", 8)
        self.set_text_color(60, 60, 60)
        y = self.h - 15
        fmt = lambda t: latin1(t.replace("{p}", str(self.page_no())))
        if s.footer_left:
            self.set_xy(self.l_margin, y)
            self.cell(0, 4, fmt(s.footer_left), align="L")
        if s.footer_center:
            self.set_xy(self.l_margin, y)
            self.cell(0, 4, fmt(s.footer_center), align="C")
        if s.footer_right:
            self.set_xy(self.l_margin, y)
            self.cell(0, 4, fmt(s.footer_right), align="R")
        self.set_text_color(0, 0, 0)


class Renderer:
    def __init__(self, spec: Spec, blocks: list[Block], toc_pages: dict[str, int] | None):
        self.spec = spec
        self.blocks = blocks
        self.toc_pages = toc_pages or {}
        self.pdf = AgreementPDF(spec)
        self.size = spec.size
        self.cols = None  # active TextColumns
        self.toc_end = 0

    # helpers ---------------------------------------------------------------
    def t(self, text: str) -> str:
        text = latin1(text)
        return hyphenate(text) if self.spec.hyphenate else text

    def body_font(self, style: str = ""):
        self.pdf.set_font(self.spec.font, style, self.size)

    def ensure_space(self, mm: float):
        pdf = self.pdf
        if pdf.get_y() + mm > pdf.h - pdf.b_margin:
            pdf.add_page()

    # rendering ---------------------------------------------------------------
    def run(self) -> AgreementPDF:
        self.pdf.add_page()
        self.body_font()
        for b in self.blocks:
            if self.cols is not None:
                self.column_block(b)
            else:
                self.plain_block(b)
        if self.cols is not None:
            self.cols.render()
            self.cols = None
        return self.pdf

    def command(self, b: Block):
        pdf, s = self.pdf, self.spec
        name, _, arg = b.text.partition(" ")
        if name in ("pagebreak", "newpage"):
            pdf.add_page()
        elif name == "title":
            pdf.set_font(s.font, "B", self.size + 5)
            pdf.multi_cell(0, (self.size + 5) * 0.55, latin1(arg), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)
            self.body_font()
        elif name in ("center", "centerb"):
            self.body_font("B" if name == "centerb" else "")
            pdf.multi_cell(0, s.line_h, latin1(arg), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.body_font()
        elif name == "space":
            pdf.ln(float(arg))
        elif name == "font":
            self.size = float(arg) if arg else s.size
            self.body_font()
        elif name == "toc":
            self.render_toc()
        elif name == "columns":
            if arg.strip() == "2":
                self.start_columns()
        else:
            raise ValueError(f"unknown command !{b.text}")

    def plain_block(self, b: Block):
        pdf, s = self.pdf, self.spec
        lh = s.line_h * self.size / s.size
        if b.kind == "cmd":
            self.command(b)
        elif b.kind == "h1":
            self.ensure_space(lh * 5)
            pdf.ln(lh * 0.6)
            pdf.set_font(s.font, "B", self.size + 1)
            pdf.multi_cell(0, lh, latin1(b.text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(s.para_gap * 0.6)
            self.body_font()
        elif b.kind == "h2":
            self.ensure_space(lh * 4)
            pdf.ln(lh * 0.3)
            pdf.set_font(s.font, "BI" if s.font != "Courier" else "B", self.size)
            pdf.multi_cell(0, lh, latin1(b.text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(s.para_gap * 0.4)
            self.body_font()
        elif b.kind in ("para", "bullet", "indent"):
            runin, rest = split_runin(b.text)
            indent = {"para": 0, "bullet": 8, "indent": 10}[b.kind]
            pdf.set_x(pdf.l_margin + indent)
            if b.kind == "bullet":
                pdf.set_x(pdf.l_margin + 3)
                pdf.cell(5, lh, "-")
            width = pdf.w - pdf.r_margin - pdf.l_margin - indent
            if runin:
                for marker in ("__", "--", "~~", "**"):
                    assert marker not in rest, f"markdown marker {marker!r} in run-in paragraph: {rest[:60]}"
                text = f"**{latin1(runin)}** {latin1(rest)}"
                pdf.multi_cell(width, lh, text, align="J", markdown=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            else:
                pdf.multi_cell(width, lh, latin1(rest), align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(s.para_gap)
        elif b.kind == "line":
            pdf.multi_cell(0, lh, latin1(b.text) or " ", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        elif b.kind == "table":
            self.render_table(b.rows)
        else:
            raise ValueError(b.kind)

    def render_table(self, rows: list[list[str]]):
        pdf = self.pdf
        ncols = max(len(r) for r in rows)
        rows = [r + [""] * (ncols - len(r)) for r in rows]
        pdf.set_font(self.spec.font, "", self.size - 1.5)
        lh = (self.size - 1.5) * 0.5
        weights = [max(8, min(45, max(len(r[i]) for r in rows))) for i in range(ncols)]
        with pdf.table(line_height=lh, text_align="LEFT", padding=1.5, col_widths=tuple(weights)) as table:
            for r in rows:
                row = table.row()
                for c in r:
                    row.cell(latin1(c))
        pdf.ln(self.spec.para_gap * 1.5)
        self.body_font()

    def render_toc(self):
        pdf, s = self.pdf, self.spec
        entries = toc_titles(self.blocks)
        pdf.set_font(s.font, "B", self.size + 2)
        pdf.cell(0, 10, "TABLE OF CONTENTS", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        pdf.set_font(s.font, "", self.size)
        width = pdf.w - pdf.l_margin - pdf.r_margin
        for title in entries:
            page = str(self.toc_pages.get(title, "00"))
            label = latin1(title)
            pw = pdf.get_string_width(page) + 2
            tw = pdf.get_string_width(label) + 2
            dots = max(3, int((width - pw - tw) / pdf.get_string_width(".")))
            pdf.cell(tw, 6.2, label)
            pdf.cell(width - pw - tw, 6.2, "." * dots, align="R")
            pdf.cell(pw, 6.2, page, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.add_page()
        self.toc_end = pdf.page_no() - 1
        self.body_font()

    # two-column flow -----------------------------------------------------------
    def start_columns(self):
        self.cols = self.pdf.text_columns(ncols=2, gutter=7, text_align="J", balance=True,
                                          line_height=self.spec.col_line_height)

    def column_block(self, b: Block):
        pdf, s, cols = self.pdf, self.spec, self.cols
        if b.kind == "cmd":
            name, _, arg = b.text.partition(" ")
            if name == "columnbreak":
                cols.new_column()
            elif name == "newpage":
                cols.render()
                pdf.add_page()
                self.start_columns()
            elif name == "columns" and arg.strip() == "1":
                cols.render()
                self.cols = None
                pdf.add_page()
            elif name == "font":
                self.size = float(arg) if arg else s.size
                self.body_font()
            else:
                raise ValueError(f"!{b.text} not supported inside columns")
            return
        if b.kind == "h1":
            pdf.set_font(s.font, "B", self.size + 1)
            with cols.paragraph(text_align="L", top_margin=2, bottom_margin=2.5) as p:
                p.write(latin1(b.text))
        elif b.kind == "h2":
            pdf.set_font(s.font, "B", self.size)
            with cols.paragraph(text_align="L", top_margin=1.5, bottom_margin=1.2) as p:
                p.write(latin1(b.text))
        elif b.kind in ("para", "bullet", "indent"):
            runin, rest = split_runin(b.text)
            indent = {"para": 0, "bullet": 4, "indent": 5}[b.kind]
            with cols.paragraph(bottom_margin=1.8, indent=indent) as p:
                if b.kind == "bullet":
                    self.body_font()
                    p.write("- ")
                if runin:
                    self.body_font("B")
                    p.write(latin1(runin) + " ")
                self.body_font()
                p.write(self.t(rest))
        elif b.kind == "line":
            self.body_font()
            with cols.paragraph(text_align="L") as p:
                p.write(latin1(b.text) or " ")
        else:
            raise ValueError(f"{b.kind} not supported inside columns")
        self.body_font()


# --------------------------------------------------------------------------- specs

SPECS = [
    Spec("model-close", "model-close.pdf", font="Times", size=12, line_h=6.6, para_gap=2.6,
         title="Ashbrook SRO Memorandum of Understanding 2023-2026",
         header_left="Ashbrook Public Schools / Ashbrook Police Department",
         header_right="School Resource Officer MOU, 2023-2026",
         footer_center="Page {p} of {nb}"),
    Spec("older-2018", "older-2018.pdf", font="Times", size=12, line_h=8.2, para_gap=3,
         title="Pelham Ridge School Resource Officer MOU (2018)",
         header_left="", header_right="",
         footer_left="Pelham Ridge SRO MOU", footer_center="- {p} -", footer_right="Rev. 08/2018"),
    Spec("conflicting", "conflicting.pdf", font="Helvetica", size=11, line_h=7.4, para_gap=2.8,
         margins=(24, 22, 24),
         title="Granite Harbor School Resource Officer Program Agreement 2024-2027",
         header_left="City of Granite Harbor - School Resource Officer Program Agreement",
         header_right="Effective September 1, 2024",
         footer_left="GHPS / GHPD", footer_center="Page {p} of {nb}"),
    Spec("odd-format", "odd-format.pdf", layout="columns", font="Helvetica", size=10.5,
         margins=(18, 22, 18), col_line_height=1.3, hyphenate=True, header_from=1,
         title="DRAFT Brinfield SRO Memorandum of Understanding (Rev. 3)",
         watermark="DRAFT",
         header_left="Town of Brinfield / Brinfield Public Schools - SRO MOU - Rev. 3 (03/14/2025)",
         header_right="DRAFT \u2013 CONFIDENTIAL",
         footer_left="Privileged & Confidential - Not for Distribution",
         footer_center="Page {p} of {nb}", footer_right="BPS-BPD_SRO_MOU_r3"),
    Spec("riverside", "riverside.pdf", font="Times", size=12, line_h=7.8,
         para_gap=2.6, title="Riverside School Resource Officer MOU",
         header_left="Riverside Public Schools and Riverside Police Department",
         header_right="SRO Memorandum of Understanding",
         footer_center="Page {p} of {nb}"),
    Spec("holdout-harbor", "holdout-harbor.pdf", font="Times", size=12, line_h=6.6, para_gap=2.6,
         title="Merrow Harbor School Resource Officer Memorandum of Understanding 2024-2027",
         header_left="Merrow Harbor Public Schools / Merrow Harbor Police Department",
         header_right="SRO Memorandum of Understanding - 2024 Renewal",
         footer_left="MHPS-MHPD", footer_center="Page {p} of {nb}"),
    Spec("holdout-hilltown", "holdout-hilltown.pdf", font="Helvetica", size=11, line_h=7.8,
         para_gap=3.2, margins=(24, 22, 24),
         title="Ashcombe-Brill Regional School District SRO Agreement",
         header_left="Ashcombe-Brill Regional Schools & Ashcombe Police",
         header_right="Our SRO Agreement",
         footer_center="- {p} -", footer_right="Rev. June 2024"),
    Spec("quarry", "quarry.pdf", font="Times", size=12, line_h=6.4, para_gap=2.4,
         margins=(25.4, 22, 25.4),
         title="Quarry Falls School Resource Officer Memorandum of Understanding 2025-2028",
         header_left="Quarry Falls Public Schools / Quarry Falls Police Department",
         header_right="SRO Memorandum of Understanding",
         footer_left="QFPS-QFPD MOU 2025", footer_center="Page {p} of {nb}",
         footer_right="Initials: ____ / ____"),
    Spec("westmere", "westmere.pdf", font="Helvetica", size=10.5, line_h=6.0,
         para_gap=2.4, margins=(24, 22, 24), header_from=3,
         title="Westmere School Resource Officer Program Handbook 2025-2028",
         header_left="Westmere Public Schools & Westmere Police Department",
         header_right="SRO Program Handbook 2025-2028",
         footer_left="City of Westmere", footer_center="{p}",
         footer_right="Adopted June 2025"),
    Spec("oakvale", "oakvale.pdf", font="Times", size=11.5, line_h=6.0, para_gap=2.2,
         margins=(25.4, 22, 25.4), header_from=2,
         title="Oakvale-Fernleigh Regional School District SRO Memorandum of Understanding 2025-2028",
         header_left="Oakvale-Fernleigh Regional School District / Oakvale PD / Fernleigh PD",
         header_right="SRO MOU 2025-2028",
         footer_left="OFRSD Policy File JKAA-E", footer_center="Page {p} of {nb}",
         footer_right="Execution Copy"),
    Spec("linden", "linden.pdf", font="Courier", size=10.5, line_h=5.2,
         para_gap=2.0, margins=(25, 20, 25), header_from=99,
         title="Lindenbrook School Resource Officer Agreement (2016) as amended by First Amendment (2023)",
         footer_left="LPS/LPD SRO Agreement", footer_center="- {p} -",
         footer_right="Rev. 3/2023"),
    Spec("birchfield", "birchfield.pdf", font="Helvetica", size=11, line_h=5.8, para_gap=2.6,
         margins=(24, 22, 24), header_from=2,
         title="Working Together for Safe Schools: Birchfield School Resource Officer Agreement 2025-2028",
         header_left="Birchfield Public Schools & Birchfield Police Department",
         header_right="School Resource Officer Agreement",
         footer_left="Policy JLC-E", footer_center="Page {p} of {nb}",
         footer_right="Family Edition - August 2025"),
    Spec("saltmarsh", "saltmarsh.pdf", font="Times", size=11, line_h=5.5,
         para_gap=2.0, margins=(27, 22, 27), header_from=2,
         title="Memorandum of Understanding - Assignment of School Resource Deputy - Saltmarsh Public Schools / Saltmarsh Police Department / Wexcombe County Sheriff's Office",
         header_left="Saltmarsh Public Schools / Saltmarsh Police Department / Wexcombe County Sheriff",
         header_right="SRO MOU 2025-2028",
         footer_left="SPS-SPD-WCSO", footer_center="Page {p} of {nb}",
         footer_right="Execution Version"),
    Spec("cedarbrook", "cedarbrook.pdf", font="Times", size=11.5, line_h=5.6, para_gap=2.2,
         margins=(25.4, 22, 25.4), header_from=2,
         title="Memorandum of Understanding - Cedarbrook Public Schools and Cedarbrook Police Department - School Resource Officer Program 2023-2026",
         header_left="Cedarbrook Public Schools / Cedarbrook Police Department",
         header_right="SRO MOU 2023-2026 (Template v2.1, amended Aug. 2023)",
         footer_left="CPS-CPD", footer_center="Page {p} of {nb}",
         footer_right="Local edits marked"),
    Spec("pinehurst", "pinehurst.pdf", font="Courier", size=11.5, line_h=6.3,
         para_gap=3.0, margins=(25.4, 22, 25.4), header_from=99,
         title="Pinehurst PD / Pinehurst Public Schools - SRO agreement",
         footer_left="", footer_center="- {p} -", footer_right="SRO agreement - FINAL"),
    Spec("marlow", "marlow.pdf", font="Helvetica", size=10.5, line_h=5.2, para_gap=2.0,
         margins=(24, 22, 24), header_from=2,
         title="Memorandum of Understanding - Marlow Valley Regional Vocational Technical School District and Town of Dunmere Police Department - School Resource Officer Program",
         header_left="Marlow Valley RVTSD / Dunmere Police Department",
         header_right="SRO Operating Policies - eff. 9/1/2024",
         footer_left="MVRVTSD-DPD MOU", footer_center="Page {p} of {nb}",
         footer_right="Rev. 08/2024"),
    Spec("fenwick", "fenwick.pdf", font="Times", size=12, line_h=6.0, para_gap=2.6,
         margins=(25.4, 22, 25.4), header_from=2,
         title="Memorandum of Understanding - Fenwick Public Schools and Fenwick Police Department - School Resource Officer Program 2025-2028",
         header_left="Fenwick Public Schools / Fenwick Police Department",
         header_right="SRO Agreement 2025-2028 (Community Review Redraft)",
         footer_left="", footer_center="Page {p} of {nb}",
         footer_right="Public document"),
    Spec("hartwell", "hartwell.pdf", font="Times", size=12, line_h=6.0, para_gap=2.4,
         margins=(25.4, 22, 25.4), header_from=2,
         title="Memorandum of Understanding - Hartwell Public Schools and Hartwell Police Department - School Resource Officer Program 2025-2028",
         header_left="Hartwell Public Schools / Hartwell Police Department",
         header_right="SRO Memorandum of Understanding 2025-2028",
         footer_left="Office of District Counsel", footer_center="Page {p} of {nb}",
         footer_right="Execution copy"),
    Spec("tarrow", "tarrow.pdf", font="Helvetica", size=10.5, line_h=5.3, para_gap=2.2,
         margins=(22, 22, 22), header_from=2,
         title="Tarrow-Kelloway Regional Middle/High School - School Resource Officer Agreement",
         header_left="Tarrow-Kelloway Regional School District / Tarrow PD / Kelloway PD",
         header_right="SRO Agreement - 2025-26 school year",
         footer_left="T-K SRO Agreement", footer_center="Page {p} of {nb}",
         footer_right="Posted copy"),
    Spec("ashgrove", "ashgrove.pdf", font="Helvetica", size=10.5, line_h=5.4, para_gap=2.3,
         margins=(24, 22, 24), header_from=2,
         title="City of Ashgrove - School Resource Officer Partnership Charter - Ashgrove Public Schools and Ashgrove Police Department 2025-2028",
         header_left="Ashgrove Public Schools / Ashgrove Police Department",
         header_right="SRO Partnership Charter 2025-2028",
         footer_left="Version 3.2 (Final)", footer_center="Page {p} of {nb}",
         footer_right="Halvorsen Baird Civic Consulting"),
    Spec("wendham", "wendham.pdf", font="Times", size=12, line_h=6.2, para_gap=2.4,
         margins=(25.4, 22, 25.4), header_from=2,
         title="Wendham Public Schools and Wendham Police Department - School Resource Officer MOU (2019) with 2024 Letter of Extension",
         header_left="Wendham Public Schools - Wendham Police Department",
         header_right="SRO MOU (August 2019), as extended August 2024",
         footer_left="", footer_center="Page {p} of {nb}",
         footer_right="Record copy"),
    Spec("not-an-agreement", "not-an-agreement.pdf", font="Helvetica", size=10.5, line_h=5.8,
         para_gap=2.2, margins=(22, 20, 22), header_from=1,
         title="Maple Hollow Regional Schools - Transportation, Cafeteria and Field Trip Procedures",
         header_left="Maple Hollow Regional School District", header_right="Policy Manual - Section EE/EF/IJOA",
         footer_center="Page {p} of {nb}"),
    Spec("dunmore", "dunmore.pdf", font="Times", size=12,
         line_h=6.3, para_gap=2.5, margins=(26, 24, 26),
         header_left="Dunmore Public Schools / Dunmore Police Department",
         header_right="School Resource Officer Agreement 2025-2028",
         footer_left="Execution copy", footer_center="Page {p} of {nb}", footer_from=2,
         title="Agreement concerning School Resource Officers - Dunmore"),
    Spec("kettering", "kettering.pdf", layout="columns",
         font="Helvetica", size=11, line_h=5.9, para_gap=2.4, margins=(23, 22, 23),
         header_left="Kettering Falls Public Schools", header_right="MOU - School Resource Officer Program",
         footer_center="- {p} -", footer_right="Rev. 08/2025", col_line_height=1.35,
         title="Kettering Falls SRO Memorandum of Understanding"),
    Spec("stanbridge", "stanbridge.pdf", font="Times", size=12, line_h=6.4,
         para_gap=2.6, margins=(27, 24, 27),
         header_left="Stanbridge Public Schools / Stanbridge Police Department",
         header_right="SRO Memorandum of Understanding", header_from=3,
         footer_left="T.C. File No. 25-0412", footer_center="Page {p} of {nb}", footer_from=2,
         title="Stanbridge SRO Memorandum of Understanding"),
    Spec("colebury", "colebury.pdf", font="Helvetica",
         size=10.5, line_h=5.4, para_gap=2.2, margins=(22, 22, 22),
         header_left="East Colebury Public Schools - East Colebury Police Department",
         header_right="SRO Program Handbook, 2025-2026", header_from=2,
         footer_left="For staff use", footer_center="{p}", footer_right="ECPS / ECPD",
         title="East Colebury SRO Program Handbook"),
    Spec("thornbury", "thornbury.pdf", font="Times", size=12, line_h=6.2,
         header_left="Thornbury Falls RVTSD / Calder County Sheriff's Office - MOU", header_right="TFR-ADM-2025-07 v3.1",
         footer_center="Page {p} of {nb}", title="School-Based Deputy Program MOU"),
    Spec("cadwell", "cadwell.pdf", font="Helvetica", size=11, line_h=6.0,
         margins=(24, 22, 24), para_gap=2.2, header_left="East Cadwell Public Schools / East Cadwell Police Department",
         header_right="SRO Operating Protocol 2025-2028", header_from=3, footer_left="ECPS-ECPD SRO Protocol",
         footer_center="", footer_right="{p}", title="SRO Operating Protocol - East Cadwell"),
    Spec("emberton", "emberton.pdf", font="Times", size=11.5, line_h=6.0,
         para_gap=2.5, header_left="Emberton Public Schools / Emberton Police Department",
         header_right="SRO Memorandum of Understanding 2025-2026", header_from=2,
         footer_center="Page {p} of {nb}", title="Emberton SRO Memorandum of Understanding"),
    Spec("sudley", "sudley.pdf", font="Times", size=12, line_h=6.6,
         para_gap=3, margins=(28, 24, 28), footer_center="", footer_right="Page {p}", footer_from=2,
         title="North Sudley SRO letter agreement"),
    Spec("alderbury", "alderbury.pdf",
         font="Times", size=11.5, line_h=6.0, para_gap=2.2, margins=(27, 24, 24),
         header_left="Alderbury-Pellingham RSD  |  SRO Program Operations Manual",
         header_right="Rev. 3.1 (2025-2026)", header_from=2,
         footer_left="Security classification: see Procedure 1603", footer_center="",
         footer_right="Page {p} of {nb}", footer_from=2,
         title="SRO Program Operations Manual and MOU - Alderbury-Pellingham RSD"),
    Spec("wexcombe", "wexcombe.pdf",
         font="Courier", size=10, line_h=5.0, para_gap=2.0, margins=(24, 20, 22),
         header_left="Wexcombe Joint SRO Meeting - Minutes of 9/9/2025", header_right="ADOPTED AS MOU",
         header_from=2, footer_center="- {p} -", footer_right="Initials: ____ / ____",
         title="Minutes of Joint Meeting on the SRO Program - Town of Wexcombe"),
    Spec("mossbridge", "holdout/mossbridge.pdf", font="Times", size=12,
         line_h=6.6, para_gap=2.6, margins=(30, 24, 28),
         header_left="Mossbridge Public Schools / Mossbridge Police Department",
         header_right="SRO MOU - Conformed Copy (as amended 2025)", header_from=3,
         footer_left="MPS-MPD MOU 2024", footer_center="{p}", footer_right="", footer_from=2,
         title="Mossbridge SRO Memorandum of Understanding (conformed)"),
    Spec("ellisford", "holdout/ellisford.pdf", font="Helvetica", size=11.5,
         line_h=6.6, para_gap=3, margins=(28, 24, 28),
         header_left="Ellisford Public Schools - Ellisford Police Department",
         header_right="Working With Our SRO: Staff Q&A / MOU 2025-2026", header_from=2,
         footer_left="Issued August 2025", footer_center="", footer_right="Page {p} of {nb}",
         title="Working With Our School Resource Officer - Q&A"),
    Spec("ambrey", "holdout/ambrey.pdf", font="Times", size=12,
         line_h=6.4, para_gap=2.6, margins=(27, 24, 27),
         header_left="Ambrey Valley Regional SD - SRO Memorandum of Understanding",
         header_right="Ambrey / Danvale / Hobbs Ferry", header_from=2,
         footer_left="AVRSD-SRO-2025", footer_center="{p}", footer_right="Rev. 06/2025",
         title="Ambrey Valley Regional SRO MOU"),
    Spec("fallowfield", "holdout/fallowfield.pdf", font="Helvetica", size=11.5,
         line_h=6.2, para_gap=3.2, margins=(30, 20, 30),
         header_left="Our School Resource Officer - A Guide for Families", header_right="Fallowfield",
         header_from=2, footer_left="", footer_center="Page {p} of {nb}",
         footer_right="Fallowfield Public Schools", title="Fallowfield SRO Family Guide"),
    Spec("wrayfield", "holdout/wrayfield.pdf", font="Times", size=12, line_h=6.8,
         header_left="Wrayfield Public Schools / Wrayfield Police Department",
         header_right="SRO Memorandum of Agreement", header_from=2,
         footer_left="CPW Draft 4 - Final", footer_center="Page {p} of {nb}", footer_from=2,
         title="Wrayfield SRO Memorandum of Agreement"),
    Spec("penhallow", "holdout/penhallow.pdf", font="Helvetica", size=12.5, line_h=6.6, para_gap=3,
         margins=(22, 20, 22), footer_left="Penhallow Public Schools  |  SRO Program Overview  |  Adopted 3/11/2025",
         footer_center="", footer_right="{p}", footer_from=2,
         title="Penhallow SRO Program Overview"),
    Spec("merriton", "holdout/merriton.pdf", font="Times", size=12, line_h=6.1, para_gap=2.5,
         header_left="Merriton Public Schools / Merriton Police Department",
         header_right="SRO Memorandum of Understanding 2025-2028", header_from=2,
         footer_center="Page {p} of {nb}", footer_from=2,
         title="Merriton SRO Memorandum of Understanding 2025-2028"),
    Spec("greyford", "holdout/greyford.pdf", font="Helvetica", size=11, line_h=5.9, para_gap=2.2,
         margins=(22, 20, 22), header_right="SCHOOL SAFETY SERVICES CONTRACT TCSO-SSS-2025-04",
         header_from=2, footer_left="Tamsworth County Sheriff's Office / Greyford Regional School District",
         footer_center="", footer_right="Page {p}",
         title="School Safety Services Contract TCSO-SSS-2025-04"),
    Spec("brantwood", "holdout/brantwood.pdf", font="Times", size=12, line_h=6.2, para_gap=2.5,
         margins=(25.4, 22, 25.4), header_left="Brantwood Public Schools / Brantwood Police Department",
         header_right="SRO Memorandum of Understanding - 2025 Renewal", header_from=2,
         footer_left="Rev. 08/2025", footer_center="Page {p} of {nb}", footer_from=2,
         title="Brantwood SRO MOU 2025"),
    Spec("norbeck", "holdout/norbeck.pdf", font="Helvetica", size=11, line_h=6.6, para_gap=3.2,
         margins=(30, 24, 30), header_left="Halden Early College Charter School + NCC Police Department",
         header_right="Partnership Compact 2025-26", header_from=2,
         footer_center="", footer_right="- {p} -", footer_from=1,
         title="Halden / NCCPD Partnership Compact"),
    Spec("calderport", "holdout/calderport.pdf", font="Helvetica", size=11, line_h=6.0, para_gap=3.2,
         margins=(24, 24, 24), header_left="Calderport Public Schools / Calderport Police Department",
         header_right="School Resource Officer Agreement", footer_center="",
         footer_right="Page {p} of {nb}", footer_left="Plain-language edition 2024-25",
         title="Calderport School Resource Officer Agreement"),
    Spec("sheldrake", "holdout/sheldrake.pdf", font="Courier", size=10.5, line_h=5.4, para_gap=2.2,
         margins=(25.4, 20, 25.4), header_left="SHELDRAKE PD / SHELDRAKE PUBLIC SCHOOLS - SRO MOU",
         header_right="As amended by Addendum No. 1 (2024)", header_from=2,
         footer_center="- {p} -", title="Sheldrake SRO Memorandum of Understanding"),
    Spec("kellsworth", "holdout/kellsworth.pdf", font="Times", size=12, line_h=6.5,
         header_left="Kellsworth Public Schools / Kellsworth Police Department",
         header_right="SRO Memorandum of Understanding", header_from=3,
         footer_center="Page {p} of {nb}", title="Kellsworth SRO MOU"),
    Spec("tamsett", "holdout/tamsett.pdf", font="Helvetica", size=11, line_h=6.0, para_gap=2.5,
         margins=(20, 18, 20), footer_left="Tamsett Valley RVTSD - SRO Agreement",
         footer_center="", footer_right="{p}", title="Tamsett Valley SRO Agreement"),
]


def _heading_pages(pdf_bytes: bytes, titles: list[str], first_body_page: int) -> dict[str, int]:
    from pypdf import PdfReader

    norm = lambda s: re.sub(r"[^a-z0-9]", "", s.lower())
    texts = [norm(p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf_bytes)).pages]
    found = {}
    for title in titles:
        key = norm(title)
        for i in range(first_body_page, len(texts)):
            if key in texts[i]:
                found[title] = i + 1
                break
    return found


def build(spec: Spec) -> Path:
    blocks = parse((SRC / f"{spec.name}.md").read_text(encoding="utf-8"))
    toc_pages: dict[str, int] = {}
    titles = toc_titles(blocks)
    has_toc = any(b.kind == "cmd" and b.text == "toc" for b in blocks)
    for _ in range(4):
        r = Renderer(spec, blocks, toc_pages)
        data = bytes(r.run().output())
        if not has_toc:
            break
        new = _heading_pages(data, titles, r.toc_end)
        if new == toc_pages:
            break
        toc_pages = new
    else:
        raise RuntimeError(f"{spec.name}: table of contents did not converge")
    if has_toc:
        missing = [t for t in titles if t not in toc_pages]
        if missing:
            raise RuntimeError(f"{spec.name}: headings not found in body: {missing}")
    out = HERE / spec.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out


def main(argv: list[str]) -> int:
    wanted = set(argv)
    from pypdf import PdfReader

    for spec in SPECS:
        if wanted and spec.name not in wanted:
            continue
        out = build(spec)
        print(f"built {out.relative_to(HERE)}: {len(PdfReader(out).pages)} pages")
    checker = HERE / "check_labels.py"
    if checker.exists():
        return subprocess.call([sys.executable, str(checker)])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
