"""Every fixed sentence the assistant may show. Anything else it shows is quoted from a source."""

from __future__ import annotations

HEADING_DIRECT = "**Short answer**"
# The card's own question beside "Short answer", so a lead that starts "Yes" or "No" is read as the
# answer to that question, and a reader sees at once when it is not the one they asked.
HEADING_DIRECT_FOR = "**Short answer: {question}**"
HEADING_SOURCES = "**What the sources say**"
HEADING_ACTIONS = {
    "teacher": "**What you can do (teacher)**",
    "parent": "**What you can do (parent)**",
    "administrator": "**What you can do (school administrator)**",
    None: "**What you can do**",
}
HEADING_CITATIONS = "**Sources**"

REFERRAL = {
    "teacher": "For a decision about a particular student, talk with your principal or assistant principal.",
    "parent": ("For your child's situation, ask the principal or the district office; complaints about "
               "student records under FERPA go to the U.S. Department of Education's Student Privacy "
               "Policy Office."),
    "administrator": "For a decision about a particular case, check your district's signed MOU and ask district counsel.",
    None: "For a particular case, ask the school principal or the district office.",
}

DISCLAIMER = "General information, not legal advice. Sources as of {as_of}."
ABSTAIN_DISCLAIMER = "_General information, not legal advice. Indexed sources as of {as_of} at the latest._"
UNVERIFIED_MARK = " (plain-language guide section not yet checked against the official text)"
UNVERIFIED_NOTE = ("Sources marked \"not yet checked\" are sections of our plain-language guide that we could "
                   "not check against the official text; read the official provision before relying on them.")
PREMISE_NOTE = "Check the premise of the question against the provisions quoted here."

ABSTAIN = {
    "empty": "Please type a question, for example: \"Can the SRO see my child's school records?\"",
    "too_long": ("That message is {length:,} characters long; please ask in {limit:,} characters or fewer "
                 "(one question at a time works best)."),
    "language": ("For now I can only answer questions written in English. "
                 "Por ahora solo puedo responder preguntas escritas en inglés. "
                 "Por enquanto só posso responder a perguntas escritas em inglês."),
    "out_of_scope": ("I only cover school resource officers in Massachusetts public schools: the Massachusetts "
                     "SRO law and model agreements, related Massachusetts school discipline laws, and FERPA. "
                     "I can't answer questions about {what}."),
    "unsupported": ("I could not find a passage in my sources that answers this, so I won't guess."),
    "no_index": "The index is empty; run `sro-assistant ingest` first.",
}
SEARCHED = "I searched: {sources}."
WHO_CAN_ANSWER = {
    "teacher": "Your principal or district office can help with this.",
    "parent": ("Your child's principal or the district office can help; for FERPA records complaints, the U.S. "
               "Department of Education's Student Privacy Policy Office; for other school questions, the "
               "Massachusetts Department of Elementary and Secondary Education (DESE)."),
    "administrator": "District counsel or the Massachusetts Department of Elementary and Secondary Education (DESE) can help.",
    None: ("The school principal, the district office, the Massachusetts Department of Elementary and Secondary "
           "Education (DESE), or, for student-records complaints, the U.S. Department of Education's Student "
           "Privacy Policy Office can help."),
}

# The answer-card layout (assistant/layout.py).
HEADING_LAW = "**The law says**"
HEADING_RELATED = "**Related questions**"
HEADING_WHY = "**Why**"
HEADING_PASSAGE = "**The closest passage in the sources**"
NO_CARD_NOTE = ("No card of our plain-language guide answers this directly; this is the closest passage of "
                "the text itself.")
SUGGESTIONS = "Questions I can answer that come close:"
UPLOADS_EVICTED = ("**Note:** the documents you uploaded earlier in this session were removed to make room for "
                   "other users' uploads; upload them again if you need them.")
ELLIPSIS = "…"
