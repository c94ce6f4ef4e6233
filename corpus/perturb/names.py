"""Name substitution: every named cluster gets one consistent substitute, in every occurrence.

The unit of substitution is the *name token* (a run of letters and digits with a
capital letter in it). Every name token of every form of a named cluster (the texts of
its ``NAM`` mentions) gets one substitute for the whole document, so every form of a
cluster and every name nested in another stays consistent ("Bashar Assad" / "Assad",
"Lake Chad Specialist Hospital" / "Chad"). Edits are made per token, which keeps every
nested mention's boundaries intact. Shape is kept:

- a person's tokens keep their role: given names before the last token, surname last;
- an acronym (``IOM``, ``U.S.``) becomes the initials of its cluster's long form's
  substitute when it abbreviates it, else random capitals of the same pattern; digits
  in model names stay (``Mi-24`` -> ``Qo-24``);
- a GPE's demonym ("Syrian", "Syrians") becomes the substitute's demonym, annotated or
  not; possessive ``'s`` and plural ``s`` stay as they are;
- particles (``al``, ``de``, ``of`` ...) and generic name words (``Airport``, ``River``,
  ``Brigades`` ...) stay, unless a cluster has a form made of them alone ("Red Cross"),
  which then changes everywhere;
- letter case follows the original token (``UNITED STATES`` stays upper case);
- a person's surname alone ("Faruk" after "Omar Faruk") is replaced wherever it stands.

Every occurrence in the text is replaced, annotated or not, except inside a time
expression: "May" in "May 2019" is a month even where a person is called May, and its
TIMEX value stays true. After the edit no form of a substituted cluster and no
substituted demonym remains in the text outside the time expressions; the check raises
:class:`NameSubstitutionError` otherwise (never a partial copy).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from newsbench.corpus.perturb.edits import Edit, EditScript
from newsbench.schema.model import Document, Mention

_TOKEN = re.compile(r"[^\W_]+")
_DOTTED_ACRONYM = re.compile(r"^(?:[A-Z]\.)+[A-Z]?\.?$")
_VOWELS = "aeiou"
_ONSETS = (
    "b",
    "d",
    "f",
    "g",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "br",
    "dr",
    "gr",
    "kr",
    "tr",
    "st",
    "sh",
    "th",
    "vel",
    "mor",
)
_CODAS = ("", "", "", "n", "r", "l", "s", "m", "sk", "nd")
_GPE_SUFFIXES = (
    ("ia", "ian"),
    ("a", "an"),
    ("or", "oran"),
    ("istan", "istani"),
    ("esh", "eshi"),
    ("ova", "ovan"),
    ("and", "ander"),
)
_REAL_OTHER_REGIONS = frozenset({"americas", "asia", "europe", "oceania"})


class NameSubstitutionError(ValueError):
    """A substitution could not be made consistently (or would leave an original name)."""


@dataclass(frozen=True)
class Country:
    """A real country and its demonym, from the package's word list."""

    name: str
    demonym: str
    region: str


@cache
def _word_list(name: str) -> tuple[str, ...]:
    text = (
        resources.files("newsbench.corpus.perturb")
        .joinpath("wordlists", name)
        .read_text(encoding="utf-8")
    )
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


PARTICLES = frozenset(_word_list("particles.txt"))
GENERIC_WORDS = frozenset(_word_list("generic_words.txt"))


@cache
def countries() -> tuple[Country, ...]:
    """The real countries of the word list, with demonyms and regions."""
    return tuple(Country(*line.split("\t")) for line in _word_list("countries.tsv"))


@cache
def _demonym_of() -> dict[str, str]:
    return {country.name: country.demonym for country in countries()}


def _render(substitute: str, original: str) -> str:
    """``substitute`` in the letter case of ``original``."""
    if original.isupper() and len(original) > 1:
        return substitute.upper()
    if original[:1].islower():
        return substitute[:1].lower() + substitute[1:]
    return substitute


def _is_name_token(token: str) -> bool:
    return any(char.isupper() for char in token) and token.lower() not in PARTICLES


def _is_acronym(token: str) -> bool:
    letters = [char for char in token if char.isalpha()]
    return len(letters) >= 2 and all(char.isupper() for char in letters) and len(letters) <= 5


@dataclass
class _Cluster:
    type: str
    forms: list[str] = field(default_factory=list)


def named_clusters(document: Document) -> list[_Cluster]:
    """The named clusters of a document, in order of first mention, with their forms."""
    clusters: dict[str, _Cluster] = {}
    mentions: Iterable[Mention] = sorted(document.mentions or (), key=lambda m: (m.start, m.end))
    for mention in mentions:
        if mention.mention_type != "NAM" or not any(
            map(_is_name_token, _TOKEN.findall(mention.text))
        ):
            continue
        key = mention.entity or f"mention:{mention.id}"
        cluster = clusters.setdefault(key, _Cluster(mention.type))
        if mention.text not in cluster.forms:
            cluster.forms.append(mention.text)
    return list(clusters.values())


def _demonym_pairs(cluster: _Cluster) -> list[tuple[str, str]]:
    """(base, demonym) pairs among a GPE cluster's forms, and the word list's demonyms."""
    pairs: list[tuple[str, str]] = []
    known = _demonym_of()
    for base in cluster.forms:
        if base in known and " " not in base:
            pairs.append((base, known[base]))
    bases = {base for base, _ in pairs}
    demonyms = {demonym for _, demonym in pairs}
    for form in cluster.forms:
        if form in bases or form in demonyms or " " in form:
            continue
        for base in cluster.forms:
            if (
                base != form
                and " " not in base
                and base[:3] == form[:3]
                and form.endswith(("an", "ian", "ese", "i", "ish", "ic", "ien", "ean"))
                and base not in demonyms
            ):
                pairs.append((base, form))
                break
    return pairs


class _Generator:
    """Seeded substitute words: invented (syllables) or real (the package's word lists)."""

    def __init__(self, kind: str, rng: random.Random, reserved: set[str]) -> None:
        self.kind = kind
        self.rng = rng
        self.used = set(reserved)  # casefolded originals and substitutes already given

    def _fresh(self, make: Callable[[], str]) -> str:
        for _ in range(1000):
            word = make()
            if word.casefold() not in self.used:
                self.used.add(word.casefold())
                return word
        raise NameSubstitutionError(f"ran out of {self.kind} substitute words")

    def _invented(self, length: int) -> str:
        target = max(3, length + self.rng.randint(-1, 1))
        word = ""
        while len(word) < target:
            word += self.rng.choice(_ONSETS) + self.rng.choice(_VOWELS)
        word += self.rng.choice(_CODAS)
        return word[:1].upper() + word[1:]

    def _real(self, pool: tuple[str, ...]) -> str:
        return self.rng.choice(pool)

    def word(self, original: str, role: str) -> str:
        """A substitute for a name token; ``role``: given, surname or other."""
        if self.kind == "names-real":
            pool = {
                "given": _word_list("given_names.txt"),
                "surname": _word_list("surnames.txt"),
            }.get(role, _word_list("places.txt"))
            return self._fresh(lambda: self._real(pool))
        return self._fresh(lambda: self._invented(len(original)))

    def country(self, original: str) -> tuple[str, str]:
        """A substitute GPE name and its demonym."""
        if self.kind == "names-real":
            pool = [
                c
                for c in countries()
                if c.region in _REAL_OTHER_REGIONS
                and " " not in c.name
                and c.demonym.casefold() not in self.used
            ]
            choice = self._fresh(lambda: self.rng.choice(pool).name)
            self.used.add(_demonym_of()[choice].casefold())
            return choice, _demonym_of()[choice]
        suffix, demonym_suffix = self.rng.choice(_GPE_SUFFIXES)
        stem = self._fresh(
            lambda: self._invented(max(2, len(original) - len(suffix))).rstrip(_VOWELS) or "Vel"
        )
        self.used.add((stem + suffix).casefold())
        return stem + suffix, stem + demonym_suffix

    def letters(self, original: str) -> str:
        """Random capitals in the pattern of an acronym (digits and punctuation stay)."""

        def make() -> str:
            return "".join(
                self.rng.choice("ABCDEFGHJKLMNPRSTVWZ") if char.isalpha() else char
                for char in original
            )

        return self._fresh(make)


@dataclass
class NameSubstitution:
    """The substitute of every name token and demonym of one document."""

    tokens: dict[str, str]  # casefolded original token -> substitute (canonical case)
    forms: list[str]  # every original form that changes (for the no-trace check)

    def substitute(self, token: str) -> str:
        """The substitute of a token in its original case (itself when it stays)."""
        substitute = self.tokens.get(token.casefold())
        return token if substitute is None else _render(substitute, token)


def plan_substitution(document: Document, kind: str, seed: int) -> NameSubstitution:
    """Choose the substitute of every name token of a document (seeded, deterministic)."""
    rng = random.Random(f"{kind}:{seed}:{document.id}")
    clusters = named_clusters(document)
    originals = {
        token.casefold()
        for cluster in clusters
        for form in cluster.forms
        for token in _TOKEN.findall(form)
    }
    generator = _Generator(
        kind,
        rng,
        originals
        | {  # a real country named in the text, or whose demonym is, is never a substitute
            name.casefold()
            for c in countries()
            if c.name in document.text or c.demonym in document.text
            for name in (c.name, c.demonym)
        },
    )
    tokens: dict[str, str] = {}
    changed_generic = {
        token.casefold()
        for cluster in clusters
        for form in cluster.forms
        if all(
            t.lower() in GENERIC_WORDS or t.lower() in PARTICLES or not _is_name_token(t)
            for t in _TOKEN.findall(form)
        )
        for token in _TOKEN.findall(form)
        if token.lower() in GENERIC_WORDS
    }

    def stays(token: str) -> bool:
        return not _is_name_token(token) or (
            token.lower() in GENERIC_WORDS and token.casefold() not in changed_generic
        )

    # first every country with its demonym, wherever either stands, so that "Nigerian" in
    # "the Nigerian Navy" becomes the demonym of Nigeria's substitute, not a random word
    demonyms: list[tuple[str, str]] = []
    known_countries = {c.demonym: c.name for c in countries()}
    pairs = [
        pair for cluster in clusters if cluster.type == "GPE" for pair in _demonym_pairs(cluster)
    ]
    pairs += [
        (known_countries[token], token)
        for cluster in clusters
        for form in cluster.forms
        for token in _TOKEN.findall(form)
        if token in known_countries
    ]
    for base, demonym in pairs:
        key = base.casefold()
        if key not in tokens:
            name, new_demonym = generator.country(base)
            tokens[key] = name
        else:
            new_demonym = _demonym_for(tokens[key], generator)
        if demonym.casefold() not in tokens:
            tokens[demonym.casefold()] = new_demonym
            demonyms.append((demonym, new_demonym))
    for cluster in clusters:
        demonym_forms = {demonym for _, demonym in demonyms}
        ordered = sorted(
            (form for form in cluster.forms if form not in demonym_forms),
            key=lambda form: (form.isupper(), -len(_TOKEN.findall(form)), -len(form)),
        )
        for form in ordered:
            _plan_form(form, cluster, ordered, tokens, generator, stays)
    surnames = [  # a person's surname alone is a form of the person, annotated or not
        _TOKEN.findall(form)[-1]
        for cluster in clusters
        if cluster.type == "PER"
        for form in cluster.forms
        if len(_TOKEN.findall(form)) > 1 and _is_name_token(_TOKEN.findall(form)[-1])
    ]
    changed = [
        form
        for cluster in clusters
        for form in cluster.forms
        if any(token.casefold() in tokens for token in _TOKEN.findall(form))
    ]
    changed += [surname for surname in surnames if surname.casefold() in tokens]
    changed += [demonym for demonym, _ in demonyms]
    return NameSubstitution(tokens, sorted(set(changed), key=lambda f: (-len(f), f)))


def _demonym_for(name: str, generator: _Generator) -> str:
    real = _demonym_of().get(name)
    if real is not None:
        return real
    for suffix, demonym_suffix in _GPE_SUFFIXES:
        if name.endswith(suffix):
            return name[: len(name) - len(suffix)] + demonym_suffix
    return name + "ian"


def _initials(form: str) -> list[str]:
    return [token for token in _TOKEN.findall(form) if token.lower() not in PARTICLES]


def _plan_form(
    form: str,
    cluster: _Cluster,
    siblings: list[str],
    tokens: dict[str, str],
    generator: _Generator,
    stays: Callable[[str], bool],
) -> None:
    form_tokens = _TOKEN.findall(form)
    letters = "".join(form_tokens) if _DOTTED_ACRONYM.match(form) else None
    if (
        letters is None
        and len(form_tokens) == 1
        and _is_acronym(form_tokens[0])
        and form_tokens[0].isalpha()
    ):
        letters = form_tokens[0]
    if letters is not None and letters.casefold() not in tokens:
        for sibling in siblings:
            words = _initials(sibling)
            if (
                sibling != form
                and len(words) == len(letters)
                and all(
                    word[:1].upper() == letter for word, letter in zip(words, letters, strict=True)
                )
            ):
                for word in words:
                    if word.casefold() not in tokens and not stays(word):
                        tokens[word.casefold()] = generator.word(word, "other")
                initials = "".join(
                    _render(tokens.get(w.casefold(), w), w)[:1].upper() for w in words
                )
                if initials.upper() != letters.upper():
                    if len(form_tokens) == 1:
                        tokens[letters.casefold()] = initials
                    else:
                        for token, initial in zip(form_tokens, initials, strict=True):
                            tokens.setdefault(token.casefold(), initial)
                    return
    name_positions = [i for i, token in enumerate(form_tokens) if not stays(token)]
    for position in name_positions:
        token = form_tokens[position]
        key = token.casefold()
        if key in tokens:
            continue
        if _is_acronym(token) or any(char.isdigit() for char in form) or len(token) <= 2:
            tokens[key] = _letters_like(token, generator)
        elif cluster.type == "PER":
            role = "surname" if position == name_positions[-1] else "given"
            tokens[key] = generator.word(token, role)
        elif cluster.type == "GPE" and len(form_tokens) == 1 and token in _demonym_of():
            tokens[key] = generator.country(token)[0]
        else:
            tokens[key] = generator.word(token, "other")


def _letters_like(token: str, generator: _Generator) -> str:
    """Random letters in the exact case pattern of ``token``; digits stay. A letter whose
    upper case is longer ("ß": "SS") is drawn as one letter, like any other."""
    shape = generator.letters("".join(u if len(u := c.upper()) == 1 else c for c in token))
    return "".join(
        new.lower() if old.islower() else new for old, new in zip(token, shape, strict=True)
    )


def _occurrence_pattern(forms: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(set(forms), key=lambda form: (-len(form), form))
    if not ordered:
        return None
    alternation = "|".join(re.escape(form) for form in ordered)
    # a form is a whole word: plural "s" and possessive "'s" may follow it
    return re.compile(rf"(?<![^\W_])(?:{alternation})(?=(?:s|'s|\u2019s)?(?![^\W_]))")


def _time_spans(document: Document) -> list[tuple[int, int]]:
    """The ``[start, end)`` of every time expression: no name is substituted inside one."""
    return [(t.start, t.end) for t in document.time_expressions or ()]


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def substitution_script(document: Document, plan: NameSubstitution) -> EditScript:
    """The token edits that put every substitute in every occurrence of every form
    (none inside a time expression)."""
    pattern = _occurrence_pattern(plan.forms)
    times = _time_spans(document)
    edits: list[Edit] = []
    if pattern is not None:
        for match in pattern.finditer(document.text):
            if _overlaps(match.start(), match.end(), times):
                continue
            for token in _TOKEN.finditer(match.group()):
                replacement = plan.substitute(token.group())
                if replacement != token.group():
                    start = match.start() + token.start()
                    edits.append(Edit(start, start + len(token.group()), replacement))
    return EditScript(edits, len(document.text))


def remaining_forms(copy: Document, plan: NameSubstitution) -> list[str]:
    """Every changed original form still found in the copy's text as a whole word outside
    its time expressions (should be none)."""
    times = _time_spans(copy)
    return [
        form
        for form in plan.forms
        if any(
            not _overlaps(match.start(), match.end(), times)
            for match in re.finditer(rf"(?<![^\W_]){re.escape(form)}(?![^\W_])", copy.text)
        )
    ]
