"""What a question is before retrieval: checked, cleaned, put in context and expanded."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assistant.scope import out_of_scope

# Everyday words people use, mapped to the words the sources use. Appended to the
# question for search only; never shown as if the user had said them.
EXPANSIONS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\bsros?\b", re.I), "school resource officer police officer assigned to school"),
    (re.compile(r"\b(cops?|police|officers?)\b", re.I), "police law enforcement school resource officer"),
    (re.compile(r"\bcall(ing)? (the )?(cops?|police|sro)\b", re.I), "involve law enforcement refer to police school resource officer"),
    (re.compile(r"\bleu\b", re.I), "law enforcement unit"),
    (re.compile(r"\bmou\b", re.I), "memorandum of understanding"),
    (re.compile(r"\b(agreement|contract)\b", re.I), "SRO agreement memorandum of understanding MOU"),
    (re.compile(r"\b(kid'?s|child'?s|son'?s|daughter'?s|student'?s) (file|record|records|folder)\b", re.I), "education records"),
    (re.compile(r"\b(file|records?)\b", re.I), "education records"),
    (re.compile(r"\b(swear\w*|curs\w*|cuss\w*|f\*+|profan\w*|talk\w* back|f[- ]?bombs?|f[- ]?words?|obscen\w*)\b", re.I),
     "swearing disruptive behavior school discipline"),
    (re.compile(r"\b(vap\w*|e-?cig\w*|juul\w*)\b", re.I), "vaping nicotine school discipline"),
    (re.compile(r"\b(high(?! school)|stoned|drunk|weed|marijuana|thc|edibles?|intoxicated|under the influence|pot)\b",
                re.I), "drugs marijuana THC controlled substance school discipline"),
    (re.compile(r"\b(fight\w*|punch\w*|hit|hitting|assault\w*|shov\w*|push\w*|scuffl\w*|wrestl\w*|kick\w*|brawl\w*)\b",
                re.I), "fight assault violence"),
    (re.compile(r"\b(knife|knives|gun|guns|firearm|weapon\w*|blade)\b", re.I), "dangerous weapon firearm report"),
    (re.compile(r"\b(threat\w*|threaten\w*)\b", re.I), "threat safety emergency"),
    (re.compile(r"\b(question(ed|ing)?|interrogat\w*|interview\w*)\b", re.I), "interview questioning of students parent notification"),
    (re.compile(r"\b(suspend\w*|suspension|expel\w*|expulsion)\b", re.I), "suspension expulsion due process hearing"),
    (re.compile(r"\b(complain\w*)\b", re.I), "complaint Student Privacy Policy Office"),
    (re.compile(r"\b(crisis|suicid\w*|mental health|panic)\b", re.I), "mental health counselor crisis"),
    (re.compile(r"\b(search\w*|locker|backpack|bag)\b", re.I), "search of students"),
    (re.compile(r"\b(video|camera|footage|cctv)\b", re.I), "video recording security camera"),
    (re.compile(r"\b(arrest\w*)\b", re.I), "arrest court referral last resort"),
    (re.compile(r"\b(18|eighteen|adult)\b", re.I), "eligible student rights transfer"),
]

# Slang whose words mean something else to a search: "dropped the f bomb" is swearing, not a bomb
# threat. Replaced in what is searched (never in what is shown).
SLANG: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\b(dropp\w* |said |yell\w* |us\w* )?(the |an? )?f[- ]?bombs?\b", re.I), "swore (the f-word)"),
]

INJECTION = re.compile(
    r"\b(ignore (all |any )?(previous|prior|above) (instructions|rules)|system prompt|you are now|"
    r"disregard (the|your) (rules|instructions)|pretend to be|jailbreak)\b", re.I)
FOLLOW_UP = re.compile(
    r"^\s*(and|but|also|what about|how about|what if|and if|same|then|so|ok(ay)?|what else|why)\b"
    r"|\b(he|she|they|him|her|them|it|that|this|those|these)\b", re.I)
ENGLISH_STOPWORDS = {"the", "a", "an", "is", "are", "can", "my", "i", "to", "of", "in", "do", "what",
                     "and", "or", "if", "should", "does", "who", "how", "when", "may", "at", "for",
                     "with", "it", "be", "you", "me", "school", "police", "sro", "student", "child",
                     "kid", "teacher", "records", "on", "about", "someone", "we", "our", "his", "her"}
FOREIGN_STOPWORDS = {"el", "la", "los", "las", "que", "de", "del", "mi", "hijo", "hija", "escuela",
                     "policía", "puede", "qué", "o", "os", "meu", "minha", "filho", "filha", "escola",
                     "polícia", "pode", "não", "por", "para", "con", "com", "una", "uma", "es", "é"}


@dataclass
class Query:
    original: str
    text: str  # cleaned question
    context_text: str = ""  # the question with the turn it follows, as the user wrote them
    search_text: str = ""  # context_text plus search expansions
    problem: str | None = None  # why it cannot be answered as asked
    out_of_scope: str | None = None
    is_follow_up: bool = False
    injection: bool = False
    notes: list[str] = field(default_factory=list)


def clean(text: str) -> str:
    # Control characters (other than line breaks and tabs) are dropped, not refused.
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def looks_foreign(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 3:
        return False
    non_latin = sum(1 for ch in text if ch.isalpha() and ord(ch) > 0x24F)
    if non_latin > len(text) * 0.3:
        return True
    english = sum(w in ENGLISH_STOPWORDS for w in words)
    foreign = sum(w in FOREIGN_STOPWORDS for w in words)
    return foreign >= 2 and foreign > english


def expand(text: str) -> str:
    extra = [terms for pattern, terms in EXPANSIONS if pattern.search(text)]
    return " ".join([text, *extra])


def previous_user_turns(history: list[dict] | None) -> list[str]:
    turns = []
    for turn in history or []:
        if isinstance(turn, dict) and turn.get("role") == "user" and isinstance(turn.get("content"), str):
            turns.append(clean(turn["content"]))
    return [t for t in turns if t]


def prepare(question: object, history: list[dict] | None, max_chars: int) -> Query:
    if not isinstance(question, str):
        return Query(original=str(question), text="", problem="empty")
    text = clean(question)
    query = Query(original=question, text=text)
    if not text or not re.search(r"[^\W_]", text):
        query.problem = "empty"
        return query
    if len(question) > max_chars:
        query.problem = "too_long"
        return query
    if looks_foreign(text):
        query.problem = "language"
        return query
    query.injection = bool(INJECTION.search(text))
    # A turn that was itself refused as too long is no context for the next one.
    earlier = [t for t in previous_user_turns(history) if len(t) <= max_chars]
    context = text
    if earlier and (len(text.split()) <= 12 or FOLLOW_UP.search(text)):
        # A follow-up ("and if he's 17?") is searched together with the question it follows.
        query.is_follow_up = True
        context = f"{earlier[-1]} {text}"
    # Judged on this turn: "also, what's for lunch?" after a records question is still off topic,
    # but "and her IEP?" after "can the police see my kid's records?" is a records question.
    query.out_of_scope = out_of_scope(text, context)
    for pattern, plain in SLANG:
        context = pattern.sub(plain, context)
    query.context_text = context
    query.search_text = expand(context)
    return query
