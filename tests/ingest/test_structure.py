from ingest.structure import LabelStack, leading_labels, parse_units, pinpoint_of, roman_value


def test_roman_values():
    assert roman_value("iv") == 4 and roman_value("IX") == 9 and roman_value("b") is None


def test_label_stack_follows_us_code_hierarchy():
    stack = LabelStack()
    for label in ["a", "4", "A", "i", "ii"]:
        stack.push(label)
    assert stack.path == ("a", "4", "A", "ii")
    stack.push("B")  # back up to the subparagraph level
    assert stack.path == ("a", "4", "B")
    stack.push("i")  # a clause under (B), not subsection (i)
    assert stack.path == ("a", "4", "B", "i")


def test_ambiguous_i_continues_an_open_sequence():
    stack = LabelStack()
    for label in ["b", "1", "H"]:
        stack.push(label)
    stack.push("I")  # subparagraph (I) follows (H): not a subclause
    assert stack.path == ("b", "1", "I")


def test_leading_labels():
    assert leading_labels("(a)(1) Text here") == (["a", "1"], 7)
    assert leading_labels("No label") == ([], 0)


def test_parse_units_session_law_sections():
    text = "SECTION 1. First thing.\n\nSECTION 2. Second thing.\n(a) A part of two."
    units = parse_units(text, base="St. 2018, c.69", kind="session-law",
                        section_pinpoint=lambda n: f"St. 2018, c.69, §{n}")
    pins = [pinpoint_of(u.section, u.path) for u in units]
    assert pins == ["St. 2018, c.69, §1", "St. 2018, c.69, §2", "St. 2018, c.69, §2(a)"]


def test_pdf_wrapped_line_starting_with_parenthesis_is_not_a_label():
    text = "(a) The school shall act under subsection\n(b) of this section when asked.\n(b) Next."
    units = parse_units(text, base="X", kind="statute", section_pinpoint=lambda n: n)
    assert [u.path for u in units] == [("a",), ("b",)]
    assert "of this section" in text[units[0].start:units[0].end]
