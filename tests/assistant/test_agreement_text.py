"""An agreement's body text: running headers gone, contents lines ignored, pages kept, through real PDFs."""

from assistant.agreement_text import body_pages, clauses, page_texts, running_lines
from ingest.loaders import load_file
from tests.pdfs import make_pdf

HEADER = "TOWN OF EXAMPLE - SRO AGREEMENT - DRAFT"


def _pages(tmp_path, pages):
    doc = load_file(make_pdf(tmp_path / "mou.pdf", pages), source_id="user:mou", title="mou", max_mb=5)
    return page_texts(doc)


def test_running_headers_and_page_numbers_are_dropped(tmp_path):
    duties = ["wear the department uniform", "drive a marked cruiser", "attend staff meetings", "keep a daily log"]
    pages = _pages(tmp_path, [f"{HEADER}\nThe officer shall {duty} while on duty at the school.\nPage {n} of 4"
                              for n, duty in enumerate(duties, 1)])
    assert len(pages) == 4
    furniture = running_lines(pages)
    assert any("DRAFT" in line for line in furniture) and any("Page #" in line for line in furniture)
    for page in body_pages(pages):
        assert "DRAFT" not in page and "Page" not in page
        assert "while on duty at the school" in page


def test_contents_lines_address_nothing_and_pages_are_kept(tmp_path):
    pages = _pages(tmp_path, [
        "Contents\n5. Student searches and questioning ........ 3\n6. Complaints ........ 4",
        "1. Purpose. This agreement sets out how the school district and the police department work together "
        "for the safety of students.",
        "5.1 The assigned officer will not search a student's locker or bag for a school-rule violation; "
        "such searches are made by school administrators.",
    ])
    found = clauses(pages)
    assert all("........" not in c.text for c in found)
    search = [c for c in found if "locker" in c.text]
    assert len(search) == 1 and search[0].page == 3
    assert not any(c.page == 1 for c in found)


def test_words_hyphenated_across_lines_are_joined(tmp_path):
    pages = ["The School Resource Officer shall not act as a school dis-\nciplinarian or enforce the student "
             "code of conduct at any time."]
    text = " ".join(c.text for c in clauses(pages))
    assert "disciplinarian" in text and "dis-" not in text


def test_a_sentence_running_onto_the_next_page_is_read_once_on_its_first_page():
    pages = ["Intro text for this agreement is here. The officer will receive training in adolescent",
             "development and de-escalation before the assignment begins. Another clause follows here on the second page."]
    found = clauses(pages)
    run_on = [c for c in found if "adolescent development" in c.text]
    assert len(run_on) == 1 and run_on[0].page == 1
    assert any(c.page == 2 and c.text.startswith("Another clause") for c in found)
