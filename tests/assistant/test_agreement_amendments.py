"""An amendment bound into the agreement it changes: the clauses it replaced are not read as conflicts
(assistant/agreement_amendments.py). The agreement text is written for this test."""

import numpy as np
import pytest

from assistant.agreement_amendments import amendment_start, replaced
from assistant.agreement_review import CHECK
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
    ("Section 3.2 is hereby amended to read as follows:", True),
    ("Article VII is struck in its entirety.", True),
    ("This Agreement is amended as follows.", False),  # names no section
    ("The SRO shall not be deleted from the school's emergency contact list.", False),
])
def test_an_amendment_is_a_named_section_deleted_replaced_or_struck(text, replaces):
    assert (amendment_start([Clause("Preamble.", 1), Clause(text, 2)]) == 1) is replaces


def test_old_clauses_are_replaced_only_for_elements_the_amendment_speaks_to():
    topic_spoken = np.array([0.9, 0.1, 0.2, 0.8])  # the amendment (from clause 2 on) speaks to it
    topic_silent = np.array([0.9, 0.1, 0.2, 0.3])
    assert replaced(topic_spoken, 2, 0.6).tolist() == [True, True, False, False]
    assert not replaced(topic_silent, 2, 0.6).any()
    assert not replaced(topic_spoken, None, 0.6).any()


def verdict(assistant, tmp_path, text: str, element: str) -> str:
    path = tmp_path / "agreement.txt"
    path.write_text(text, encoding="utf-8")
    return next(f.verdict for f in assistant.review_agreement(path).findings if f.element.id == element)


def test_a_replaced_clause_is_no_longer_a_check_but_an_untouched_one_still_is(assistant, tmp_path):
    assert verdict(assistant, tmp_path, BASE, "not-disciplinarian") == CHECK
    assert verdict(assistant, tmp_path, BASE + REPLACES_3_2, "not-disciplinarian") != CHECK
    # An amendment on complaints leaves section 3.2 in force.
    assert verdict(assistant, tmp_path, BASE + REPLACES_7, "not-disciplinarian") == CHECK
