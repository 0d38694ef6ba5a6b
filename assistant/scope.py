"""What the assistant does not cover, recognised before retrieval so it can say so plainly."""

from __future__ import annotations

import re

OTHER_PLACES = re.compile(
    r"\b(alabama|alaska|arizona|arkansas|california|colorado|connecticut|hartford|delaware|florida|"
    r"georgia|hawaii|idaho|illinois|chicago|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|"
    r"michigan|minnesota|mississippi|missouri|montana|nebraska|nevada|new hampshire|new jersey|"
    r"new mexico|new york|nyc|nypd|north carolina|north dakota|ohio|oklahoma|oregon|pennsylvania|"
    r"rhode island|south carolina|south dakota|tennessee|texas|utah|vermont|virginia|washington state|"
    r"west virginia|wisconsin|wyoming|canada|ontario|(?<!new )england|uk|australia)\b", re.I)
MASSACHUSETTS = re.compile(r"massachusetts|\bma\b|mass\.", re.I)

# A question about who may see or share a record stays in scope whatever record it names
# ("can the school cop look at my daughter's IEP?", "can the school tell the police he has an IEP?").
_WHO = r"\b(sro|school cop|cops?|police|officers?)\b"
_SEE = (r"\b(see|sees|seen|seeing|look|looks|looking|looked|read|reads|reading|access|accessed|share|shares|"
        r"shared|sharing|give|gives|given|giving|show|shows|shown|showing|get|gets|view|views|copy|obtain|"
        r"tell|tells|told|telling|inform\w*|disclos\w*|know|knows)\b")
RECORDS_ACCESS = re.compile(f"{_WHO}.*{_SEE}|{_SEE}.*{_WHO}", re.I)
# So does one about involving the police with a student who has an IEP or 504 plan ("can the school
# still call the police on him?"): IDEA's discipline and referral rules are in the guide. Who sits
# on an IEP team is IDEA procedure, which the guide does not cover, so that stays out.
_ACT = (r"\b(call\w*|involv\w*|report\w*|arrest\w*|charg\w*|restrain\w*|handcuff\w*|suspen\w*|expel\w*|"
        r"expulsion|disciplin\w*|punch\w*|fight\w*|hurt|hit)\b")
POLICE_ACTION = re.compile(f"{_WHO}.*{_ACT}|{_ACT}.*{_WHO}", re.I)
SPECIAL_ED_IN_SCOPE = re.compile(f"{RECORDS_ACCESS.pattern}|{POLICE_ACTION.pattern}", re.I)
# Short names said in capitals; other places are title-cased.
ACRONYMS = {"uk", "nyc", "nypd"}

# (pattern, what the reply says it cannot help with, a pattern that keeps it in scope anyway).
# Narrow on purpose: a question that merely mentions lunch or a bus (a fight at lunch, a knife
# on the bus) stays in scope.
TOPICS: list[tuple[re.Pattern, str, re.Pattern | None]] = [
    (re.compile(r"\b(represent (me|my|him|her|us)|be (my|our|his|her) (lawyer|attorney)|"
                r"(write|draft|file) (up )?(the|a|my) (lawsuit|complaint|motion) for me|"
                r"file it for me)\b", re.I), "legal representation or filing court papers for you", None),
    (re.compile(r"\b(get paid|paid|salary|salaries|wages?|earn)\b", re.I), "pay, salaries or budgets", None),
    (re.compile(r"\b(taxe?s|tax (credit|deduction|return)s?|deduct\w*|irs)\b", re.I), "taxes",
     re.compile(r"\b(dependents?|ferpa|records?|transcripts?)\b", re.I)),
    (re.compile(r"\btitle ix\b", re.I), "Title IX sexual-harassment procedures", None),
    (re.compile(r"\b(what'?s|what is) for lunch\b|\blunch menu\b", re.I), "school menus or schedules", None),
    (re.compile(r"\bwhat time does (the )?bus\b|\bbus (route|schedule|\d+)\b", re.I), "bus routes or schedules", None),
    (re.compile(r"\b(snow|weather|storm)\b.*\b(cancel|closed|delay)|\b(cancel|closed|delay)\w*\b.*\bsnow\b", re.I),
     "school closings", None),
    (re.compile(r"\bwhich\b.*\b(brand|product|vendor|company)\b|\bbest (brand|product)\b", re.I),
     "product recommendations", None),
    (re.compile(r"\bmcas\b", re.I), "MCAS testing", None),
    # Homework policy is teaching, not SROs; make-up work during a suspension stays in scope.
    (re.compile(r"\b(homework|grading|report cards?)\b", re.I), "homework, grading or teaching policy",
     re.compile(r"\b(suspen\w*|expel\w*|expulsion|remov\w*|exclu\w*|sro|police|officer)\b", re.I)),
    (re.compile(r"\b(iep|504 plan|special education evaluation)\b", re.I), "special education (IEP or 504) procedures",
     SPECIAL_ED_IN_SCOPE),
]


def out_of_scope(question: str, context: str | None = None) -> str | None:
    """A short description of what the question asks that is out of scope, or None. `context` (the
    question with the turn it follows) can keep a topic in scope through its `unless` pattern."""
    place = OTHER_PLACES.search(question)
    if place and not MASSACHUSETTS.search(question):
        name = place.group(0)
        return f"the law or practice of {name.upper() if name.lower() in ACRONYMS else name.title()}"
    for pattern, what, unless in TOPICS:
        if pattern.search(question) and not (unless and unless.search(context or question)):
            return what
    return None
