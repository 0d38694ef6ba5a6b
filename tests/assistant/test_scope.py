"""Out-of-scope rules: narrow topics, with a way back in for records questions."""

import pytest

from assistant.scope import out_of_scope


@pytest.mark.parametrize("question", [
    "How do I ask for an IEP evaluation for my son's ADHD?",
    "what goes in a 504 plan?",
    "The police seem to ignore the IEP, what are the IEP procedures?",  # "seem" is not "see"
    "why is the school resource officer at my son's IEP meeting",  # IEP team membership: IDEA procedure
])
def test_special_education_procedures_are_out_of_scope(question):
    assert out_of_scope(question) == "special education (IEP or 504) procedures"


@pytest.mark.parametrize("question", [
    "can the school cop look at my daughter's IEP and counseling file?",
    "Can the SRO see my son's 504 plan?",
    "may the school share the IEP with police?",
    "Can the SRO get a copy of my son's IEP?",
    "is the school allowed to tell the police my kid has an IEP",
])
def test_who_may_see_a_special_education_record_stays_in_scope(question):
    assert out_of_scope(question) is None


@pytest.mark.parametrize("question, what", [
    ("What is the SRO law in Texas?", "the law or practice of Texas"),
    ("What does Ohio law say about SROs?", "the law or practice of Ohio"),
    ("SRO rules in NYC?", "the law or practice of NYC"),
    ("how much do SROs get paid", "pay, salaries or budgets"),
    ("whats the lunch menu tomorrow", "school menus or schedules"),
])
def test_other_topics_and_places_are_named(question, what):
    assert out_of_scope(question) == what


def test_a_fight_at_lunch_stays_in_scope():
    assert out_of_scope("Two kids had a fight at lunch. Should I call the SRO?") is None


def test_new_england_is_not_england():
    assert out_of_scope("Do New England schools have SRO agreements?") is None


def test_a_follow_up_about_an_iep_keeps_the_records_question_it_follows():
    from assistant.query import prepare

    history = [{"role": "user", "content": "Can the police see my kid's school records?"}]
    assert prepare("and her IEP?", history, 2000).out_of_scope is None
    # A turn refused as too long is not context for the next one.
    assert prepare("and her IEP?", [{"role": "user", "content": "x " * 2000}], 2000).out_of_scope


@pytest.mark.parametrize("question, outside", [
    ("Can my child's teacher assign homework over the weekend?", True),
    ("how is my kid's report card grading done", True),
    ("does my son get homework while suspended?", False),  # make-up work during a removal
    ("can the SRO see his report card?", False),
])
def test_homework_policy_is_out_of_scope_but_not_make_up_work(question, outside):
    assert (out_of_scope(question) == "homework, grading or teaching policy") == outside


@pytest.mark.parametrize("question", [
    "my son has an IEP, can the school still call the police on him?",
    "kid on an IEP punched a classmate. does the IEP mean we can't involve the SRO?",
    "does the school have to do a manifestation determination before the SRO can file charges? he has an IEP",
])
def test_police_and_a_student_with_an_iep_stays_in_scope(question):
    assert out_of_scope(question) is None
