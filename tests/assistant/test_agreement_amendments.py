"""An amendment bound into the agreement it changes: the clauses it replaced are not read as conflicts
(assistant/agreement_amendments.py). The agreement text is written for this test."""

import numpy as np
import pytest

from assistant.agreement_amendments import amendment_start, replaced
from assistant.agreement_review import ADDRESSED, CHECK
from assistant.agreement_text import Clause

BASE = """1. Purpose. The Exampleton Public Schools and the Exampleton Police Department agree on how a school
resource officer serves the schools.

2. Selection. The Chief nominates officers, and no officer is assigned as SRO without the Superintendent's
written agreement.

3.1 Duties. The SRO's duties are to keep the schools safe, to build positive relationships with students,
and to act as liaison between the schools and the Department.

3.2 The SRO shall assist administrators in enforcing the student code of conduct.

4. Searches. School administrators search students under the reasonable suspicion standard; the SRO
searches only under the standards that bind police officers.

5. Review. Each year the Superintendent and the Chief together evaluate the SRO's performance.

6. Training. The SRO holds a current school resource officer certification from the POST Commission.

7. Complaints. A student or parent may complain about the SRO to the principal or the Chief, and is told
the outcome in writing.

Amendment No. 1
"""
REPLACES_3_2 = ('Section 3.2 of this Agreement is deleted and replaced with: "The SRO is not a school disciplinarian '
                'and does not enforce school rules or the code of conduct; discipline stays with school administrators."')
REPLACES_7 = ('Section 7 of this Agreement is deleted and replaced with: "A student or parent may complain about the '
              'SRO to the Superintendent, who answers in writing within thirty days."')


@pytest.mark.parametrize("text, replaces", [
    ("Section 4 of the Agreement (Selection of SRO) is deleted and replaced with the following:", True),
    ("Amendment 3. Section 3.2 is hereby amended to read as follows:", True),
    ("2. Section 6 of the 2016 MOU is replaced with the following:", True),
    ("Article VII is struck in its entirety.", False),  # a bare deletion replaces nothing
    ("This Agreement is amended as follows.", False),  # names no section
    # A body sentence that names a section without amending it.
    ("If any part of Section 5 is struck by a court, the remainder stays in effect.", False),
    ("Records kept under Section 6 are deleted after three years.", False),
    ("Until Section 5 is replaced, the parties meet monthly.", False),
    ("section lists are struck from the handbook", False),
])
def test_an_amendment_opens_a_clause_by_replacing_a_named_section(text, replaces):
    assert (amendment_start([Clause("Preamble.", 1), Clause(text, 2)]) == 1) is replaces


def test_an_amendment_begins_at_its_first_item_even_when_that_only_adds():
    found = [Clause("The SRO is assigned to the high school.", 1),
             Clause("Section 5.6 is amended by adding a new paragraph (c):", 9),
             Clause("(c) The SRO shall not use prone restraint.", 9),
             Clause("Section 7 is deleted and replaced with the following:", 9)]
    assert amendment_start(found) == 1
    assert amendment_start(found[:3]) is None  # adding alone replaces nothing


def test_old_clauses_are_replaced_only_for_elements_the_amendment_speaks_to():
    topic_spoken = np.array([0.9, 0.1, 0.2, 0.8])  # the amendment (from clause 2 on) speaks to it
    topic_silent = np.array([0.9, 0.1, 0.2, 0.3])
    assert replaced(topic_spoken, 2, 0.6).tolist() == [True, True, False, False]
    assert not replaced(topic_silent, 2, 0.6).any()
    assert not replaced(topic_spoken, None, 0.6).any()


def finding(assistant, tmp_path, text: str, element: str):
    path = tmp_path / "agreement.txt"
    path.write_text(text, encoding="utf-8")
    return next(f for f in assistant.review_agreement(path).findings if f.element.id == element)


def test_a_replaced_clause_is_no_longer_read_but_an_untouched_one_still_is(assistant, tmp_path):
    old = "The SRO shall assist administrators in enforcing the student code of conduct."
    assert finding(assistant, tmp_path, BASE, "not-disciplinarian").verdict == CHECK
    amended = finding(assistant, tmp_path, BASE + REPLACES_3_2, "not-disciplinarian")
    assert amended.verdict == ADDRESSED
    assert amended.passages and all(old not in p.text for p in amended.passages)  # the new text is shown
    # An amendment on complaints leaves section 3.2 in force.
    assert finding(assistant, tmp_path, BASE + REPLACES_7, "not-disciplinarian").verdict == CHECK
