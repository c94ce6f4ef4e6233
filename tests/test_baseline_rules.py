"""The rule-based baseline: lexicons, each heuristic, and an end-to-end run on the seed."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path

import pytest

from newsbench.baselines.base import Extractor, SourceDocument, check_predictions
from newsbench.baselines.rules import (
    AttributionFinder,
    MentionFinder,
    RulesExtractor,
    find_timexes,
    find_triggers,
    lemma_candidates,
    load_lexicons,
    realis,
    resolve_weekday,
    split_sentences,
    tokenize,
)
from newsbench.schema.model import Document, document_to_dict
from newsbench.schema.validate import validate_record

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_b245f45723a17301.txt"
GOLD = REPO / "corpus" / "data" / "validation.jsonl"
DCT = "2024-12-08"  # a Sunday


def run(text: str, dct: str | None = DCT) -> Document:
    return RulesExtractor().extract_one(SourceDocument("doc", text, dct))


def mentions(text: str) -> dict[str, tuple[str, str]]:
    """Mention text -> (type, mention type) for a short text (last one wins)."""
    return {m.text: (m.type, m.mention_type) for m in run(text).mentions or ()}


def timexes(text: str, dct: str | None = DCT) -> dict[str, tuple[str, str | None]]:
    date = dt.date.fromisoformat(dct) if dct else None
    return {text[t.start : t.end]: (t.type, t.value) for t in find_timexes(text, date)}


# --- lexicons ------------------------------------------------------------------------


def test_lexicons_load_from_the_package_and_are_non_empty(capsys: pytest.CaptureFixture[str]):
    files = {p.name for p in resources.files("newsbench.baselines.lexicons").iterdir()}
    sizes = load_lexicons().sizes()
    with capsys.disabled():
        print("\nlexicon sizes: " + ", ".join(f"{k}={v}" for k, v in sizes.items()))
    assert set(sizes) <= files
    assert all(size > 0 for size in sizes.values())
    assert sizes["countries.txt"] >= 190 * 2  # names + demonyms of the world's countries


# Every lexicon entry that equals a gold mention text must be listed here, with a reason
# why a general list (not the gold) would contain it.
GENERAL_KNOWLEDGE: dict[str, str] = {
    **dict.fromkeys(
        ["Iran", "Israel", "Lebanon", "Syria", "U.S."],
        "a country name or its standard abbreviation (countries.txt: all UN member states)",
    ),
    **dict.fromkeys(
        ["Israeli", "Lebanese", "Russian", "Syrian"],
        "a country's demonym (countries.txt lists one for every country)",
    ),
    "Damascus": "a national capital (cities.txt lists every capital)",
    "Aleppo": "a city of over one million people (cities.txt: major world cities)",
    **dict.fromkeys(
        ["Reuters", "AP", "CNN", "New York Times"],
        "one of the big wire services / broadcasters / newspapers of record",
    ),
    "Haaretz": "a national newspaper of record (listed with Jerusalem Post, Times of Israel)",
    "UN": "the United Nations, the best-known international organisation",
    **dict.fromkeys(
        [
            "airport",
            "allies",
            "area",
            "army",
            "base",
            "border",
            "building",
            "bullets",
            "capital",
            "cities",
            "city",
            "convoy",
            "convoys",
            "countries",
            "country",
            "countryside",
            "crossroads",
            "fighter",
            "fighters",
            "forces",
            "heartland",
            "insurgents",
            "members",
            "militants",
            "military",
            "office",
            "officer",
            "opposition",
            "outskirts",
            "post",
            "rebels",
            "region",
            "reinforcements",
            "residents",
            "route",
            "sect",
            "source",
            "sources",
            "streets",
            "suburbs",
            "territory",
            "troops",
            "unit",
            "vehicle",
            "vehicles",
        ],
        "a common English noun, listed as a nominal head of its type (nominals.json)",
    ),
    **dict.fromkeys(
        ["he", "his", "it", "its", "our", "their", "them", "they", "which", "who"],
        "an English pronoun (a closed class; pronouns.json)",
    ),
}

GOLD_SPECIFIC = [
    "Hayat Tahrir al-Sham",
    "Revolutionary Guards",
    "Truth Social",
    "Golan Heights",
    "Golan",
    "Northern Command",
    "Radwan",
    "Hezbollah",
    "IDF",
    "Deir el-Zor",
    "Qusayr",
    "Quneitra",
    "Homs",
    "Hama",
    "Kurds",
    "Assad",
    "Bashar Assad",
    "Donald Trump",
    "Amos Hochstein",
    "Hochstein",
    "U.S",
    "UNITED STATES",
    "Mahmoud Hasano",
    "Omar Sanadiki",
    "Omar Albam",
    "Ghaith Alsayed",
]


def _all_entries() -> dict[str, set[str]]:
    return {name: set(items) for name, items in load_lexicons().entries.items()}


def test_no_lexicon_contains_a_gold_specific_name():
    for name, items in _all_entries().items():
        assert not items & set(GOLD_SPECIFIC), (
            f"{name} contains {sorted(items & set(GOLD_SPECIFIC))}"
        )


def test_lexicon_entries_equal_to_gold_mentions_are_general_knowledge(
    capsys: pytest.CaptureFixture[str],
):
    if not GOLD.exists():
        pytest.skip("corpus/data/validation.jsonl is not built yet (newsbench build-corpus)")
    gold = set()
    for line in GOLD.read_text("utf-8").splitlines():
        gold |= {m["text"] for m in json.loads(line).get("mentions", [])}
    overlap: dict[str, list[str]] = {}
    for name, items in _all_entries().items():
        hits = sorted(items & gold)
        if hits:
            overlap[name] = hits
        unexplained = [h for h in hits if h not in GENERAL_KNOWLEDGE]
        assert not unexplained, f"{name}: gold mention texts not in the allow-list: {unexplained}"
    with capsys.disabled():
        print("\nlexicon entries equal to a gold mention text (all allow-listed):")
        for name, hits in overlap.items():
            print(f"  {name}: {len(hits)}")


# --- sentences and tokens ----------------------------------------------------------------


def test_sentence_splitter_handles_abbreviations_quotes_and_glued_credits():
    text = (
        'He said the U.S. should act. "IT IS BAD. GO!" he added. '
        "Fighters sit in Homs on Saturday.Credit: Jane Doe/Reuters"
    )
    got = [text[a:b] for a, b in split_sentences(text)]
    assert got == [
        "He said the U.S. should act.",
        '"IT IS BAD. GO!" he added.',
        "Fighters sit in Homs on Saturday.",
        "Credit: Jane Doe/Reuters",
    ]


def test_tokenizer_splits_hyphenated_names_but_keeps_particles_and_abbreviations():
    words = [w.text for w in tokenize("the Syria-Lebanon border, al-Sham, U.S.-backed, U.S Envoy")]
    assert words == [
        "the",
        "Syria",
        "Lebanon",
        "border",
        "al-Sham",
        "U.S.",
        "backed",
        "U.S",
        "Envoy",
    ]


# --- mentions ----------------------------------------------------------------------------


def test_gazetteer_matching_names_demonyms_aliases_and_capitals():
    got = mentions(
        "Officials in Paris and the United Arab Emirates met Iraqi envoys from the "
        "New York Times, while THE UNITED STATES and the U.S Army watched."
    )
    assert got["Paris"] == ("GPE", "NAM")
    assert got["United Arab Emirates"] == ("GPE", "NAM")
    assert got["Iraqi"] == ("GPE", "NAM")
    assert got["New York Times"] == ("ORG", "NAM")  # longest match beats "New York"
    assert got["UNITED STATES"] == ("GPE", "NAM")  # all-caps text
    assert got["U.S"] == ("GPE", "NAM")  # abbreviation without its final period


def test_capitalised_runs_are_typed_by_cues_and_context():
    got = mentions(
        "The ministry said Defense Minister Jane Roe visited the Bekaa Valley, the "
        "Hmeimim Air Base and the Eastern Command of the SDF near Idlib, where Tarek "
        "Smith met Wagner fighters."
    )
    assert got["Jane Roe"] == ("PER", "NAM")  # a title before the name
    assert got["Bekaa Valley"] == ("LOC", "NAM")  # a geographic cue word
    assert got["Hmeimim Air Base"] == ("FAC", "NAM")  # a facility cue word
    assert got["Eastern Command"] == ("ORG", "NAM")  # an organisation cue word
    assert got["SDF"] == ("ORG", "NAM")  # an acronym
    assert got["Idlib"] == ("GPE", "NAM")  # after a locative preposition
    assert got["Wagner"] == ("ORG", "NAM")  # before a group noun
    assert got["Tarek Smith"] == ("PER", "NAM")  # the default


def test_sentence_initial_capitals_count_only_when_known():
    got = mentions("Rebel forces advanced. Smith said so. Later, they met Smith in Idlib.")
    assert "Rebel" not in got
    assert got["Smith"] == ("PER", "NAM")  # capitalised mid-sentence elsewhere
    assert "Later" not in got


def test_nominal_heads_skip_modifiers_and_adjectival_uses():
    got = mentions("Syrian army forces found no military presence, and the military said so.")
    assert got["forces"] == ("PER", "NOM")
    assert "army" not in got  # a noun modifier
    doc = run("Syrian army forces found no military presence, and the military said so.")
    military = [m for m in doc.mentions or () if m.text == "military"]
    assert len(military) == 1 and military[0].start > 40  # only "the military said"


def test_pronoun_rules_relatives_expletives_and_types():
    doc = run(
        "The officer who spoke said it seems calm. It marks a change. "
        "Iran, which is rich, says its army left. Which way?"
    )
    by_text = [(m.text, m.type, m.mention_type) for m in doc.mentions or ()]
    assert ("who", "PER", "PRO") in by_text
    assert ("which", "GPE", "PRO") in by_text
    assert ("its", "GPE", "PRO") in by_text
    assert not any(t in {"it", "It", "Which"} for t, _, _ in by_text)


def test_coreference_names_pronouns_and_definite_nominals():
    doc = run(
        "President Jane Roe visited Damascus. She said the capital was calm. "
        "Roe later left Syria, and the country mourned. Rebels said they would stay."
    )
    entity = {m.text: m.entity for m in doc.mentions or ()}
    assert entity["Jane Roe"] == entity["She"] == entity["Roe"]  # title name, he/she, surname
    assert entity["Damascus"] == entity["capital"]  # "the capital" -> nearest city name
    assert entity["Syria"] == entity["country"]  # "the country" -> nearest country name
    # sentence-initial "Rebels" is not a mention (NOM heads are lowercase), so "they" is alone
    assert "Rebels" not in entity
    assert len(set(entity.values())) == 4


def test_subject_pronoun_in_content_refers_to_the_source():
    doc = run("Two officers told Reuters that they left Idlib.")
    entity = {m.text: m.entity for m in doc.mentions or ()}
    assert entity["they"] == entity["officers"]


# --- time expressions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("They left on Saturday.", ("Saturday", "DATE", "2024-12-07")),
        ("They left on Sunday.", ("Sunday", "DATE", "2024-12-08")),  # on or before the DCT
        ("They left last Sunday.", ("last Sunday", "DATE", "2024-12-01")),
        ("They come next Friday.", ("next Friday", "DATE", "2024-12-13")),
        ("They will attack on Monday.", ("Monday", "DATE", "2024-12-09")),  # future cue
        ("Friday morning, it rained.", ("Friday morning", "TIME", "2024-12-06TMO")),
        ("It ended Saturday evening.", ("Saturday evening", "TIME", "2024-12-07TEV")),
        (
            "They said overnight into Sunday that",
            ("overnight into Sunday", "TIME", "2024-12-07TNI"),
        ),
        ("earlier during the night", ("the night", "TIME", "2024-12-07TNI")),
        ("since 2018, when", ("2018", "DATE", "2018")),
        ("a years-long siege", ("years-long", "DURATION", "PXY")),
        ("for three days", ("three days", "DURATION", "P3D")),
        ("two weeks ago", ("two weeks ago", "DATE", "2024-11-24")),
        ("on March 3 they", ("March 3", "DATE", "2024-03-03")),
        ("on 5 May 2019 they", ("5 May 2019", "DATE", "2019-05-05")),
        ("last week", ("last week", "DATE", "2024-W48")),
        ("in the 1990s", ("the 1990s", "DATE", "199")),
        ("yesterday", ("yesterday", "DATE", "2024-12-07")),
    ],
)
def test_timex_normalisation_against_the_dct(text: str, expected: tuple[str, str, str]):
    span, kind, value = expected
    assert timexes(text)[span] == (kind, value)


def test_timex_without_dct_and_non_timexes():
    assert timexes("On Saturday in 2018", dct=None) == {
        "Saturday": ("DATE", None),
        "2018": ("DATE", "2018"),
    }
    assert timexes("2000 troops marched 21 miles for the first time") == {}


def test_weekday_resolution_directions():
    sunday = dt.date(2024, 12, 8)
    assert resolve_weekday("Sunday", sunday) == sunday
    assert resolve_weekday("Sunday", sunday, "before") == dt.date(2024, 12, 1)
    assert resolve_weekday("Monday", sunday, "future") == dt.date(2024, 12, 9)
    assert resolve_weekday("Sunday", sunday, "after") == dt.date(2024, 12, 15)


# --- events ------------------------------------------------------------------------------


def test_lemma_candidates_cover_regular_inflections():
    assert "seize" in lemma_candidates("seized")
    assert "hit" in lemma_candidates("hitting")
    assert "clash" in lemma_candidates("clashes")
    assert "retreat" in lemma_candidates("retreating")
    assert "leave" in lemma_candidates("leaving")
    assert "deploy" in lemma_candidates("deployed")


def triggers(text: str) -> dict[str, str]:
    lex = load_lexicons()
    return {text[t.start : t.end]: t.type for t in find_triggers(text, tokenize(text), lex)}


def test_trigger_matching_with_forms_particles_and_context():
    got = triggers(
        "Rebels took over the town, fled the area, struck a base, seized a hill and "
        "have taken control after the fall of the city; fighters were attacking."
    )
    assert got["took over"] == "Transaction.TransferControl"
    assert got["fled"] == "Movement.TransportPerson"
    assert got["struck"] == "Conflict.Attack"
    assert got["seized"] == "Transaction.TransferControl"
    assert got["taken"] == "Transaction.TransferControl"
    assert got["fall"] == "Transaction.TransferControl"
    assert got["attacking"] == "Conflict.Attack"
    assert "fighters" not in got
    assert triggers("Prices may fall. They took a photo.") == {}


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        ("Israel struck a convoy.", "struck", "ACTUAL"),
        ("Israel will strike the base.", "strike", "OTHER"),
        ("They did not enter the city.", "enter", "OTHER"),
        ("They could no longer retreat.", "retreat", "OTHER"),
        ("They were helping to repel the raid.", "repel", "OTHER"),
        ("They fear the possibility of a surprise raid.", "raid", "OTHER"),
        ("Troops had begun retreating.", "retreating", "ACTUAL"),
    ],
)
def test_realis_heuristics(text: str, trigger: str, expected: str):
    assert realis(text, 0, text.index(trigger)) == expected


def test_event_arguments_follow_roles_and_prepositions():
    doc = run("Rebels fled from Idlib to Aleppo on Saturday. Israel struck a convoy in Lebanon.")
    ids = {m.id: m.text for m in doc.mentions or ()}
    ids.update({t.id: t.text for t in doc.time_expressions or ()})
    events = {e.trigger.text: {a.role: ids[a.ref] for a in e.arguments or ()} for e in doc.events}
    # "Rebels" (sentence-initial) is not a mention, so "fled" has no Person
    assert events["fled"] == {"Origin": "Idlib", "Destination": "Aleppo", "Time": "Saturday"}
    assert events["struck"] == {"Attacker": "Israel", "Target": "convoy", "Place": "Lebanon"}
    assert all(e.hopper == f"h{i + 1}" for i, e in enumerate(doc.events or ()))


# --- attributions ------------------------------------------------------------------------


def attributions(text: str) -> list[dict[str, object]]:
    doc = run(text)
    ids = {m.id: m.text for m in doc.mentions or ()}
    index = {a.id: i for i, a in enumerate(doc.attributions or ())}
    return [
        {
            "cue": a.cue[0].text,
            "source": a.source.text if a.source else None,
            "head": ids.get(a.source.mention or "") if a.source else None,
            "content": [c.text for c in a.content],
            "intermediary": ids.get(a.intermediary or ""),
            "class": a.source_class,
            "mode": a.mode,
            "parent": index.get(a.parent or ""),
        }
        for a in doc.attributions or ()
    ]


def test_forward_cue_with_that_intermediary_and_coordinated_cue():
    got = attributions(
        "Two members of Iran's army confirmed to the New York Times that troops had left "
        "the capital, and added that rebels were near."
    )
    assert got[0]["source"] == "Two members of Iran's army"
    assert got[0]["head"] == "members"
    assert got[0]["content"] == ["troops had left the capital"]
    assert got[0]["intermediary"] == "New York Times"
    assert got[1]["cue"] == "added" and got[1]["content"] == ["rebels were near"]
    assert got[1]["source"] == got[0]["source"] and got[1]["intermediary"] is None


def test_trailing_cue_takes_the_clause_before_the_comma():
    (got,) = attributions(
        "Israel hit one of the convoys as it left, a Syrian officer told Reuters."
    )
    assert got["content"] == ["Israel hit one of the convoys as it left"]
    assert got["source"] == "a Syrian officer" and got["intermediary"] == "Reuters"
    assert got["class"] == "UNNAMED" and got["mode"] == "INDIRECT"


def test_quotes_direct_mixed_and_two_that_clauses():
    text = (
        'President Jane Roe spoke. "It is a mess, but not ours," she wrote on the platform '
        'Truthbook. Roe warned that Hamas is weak and that "it may not last."'
    )
    got = attributions(text)
    wrote = next(a for a in got if a["cue"] == "wrote")
    assert wrote["content"] == ['"It is a mess, but not ours,"']
    assert wrote["mode"] == "DIRECT" and wrote["class"] == "NAMED_PERSON"
    assert wrote["intermediary"] == "Truthbook"
    warned = next(a for a in got if a["cue"] == "warned")
    assert warned["content"] == ["Hamas is weak", '"it may not last."']
    assert warned["mode"] == "MIXED"


def test_according_to_and_nesting():
    got = attributions(
        "CNN reported that residents said they heard clashes. Kurds seized Raqqa on Friday, "
        "according to two sources who spoke with Reuters."
    )
    reported, said, according = got
    assert reported["class"] == "NAMED_ORGANIZATION"
    assert said["parent"] == 0 and said["content"] == ["they heard clashes"]
    assert according["source"] == "two sources" and according["head"] == "sources"
    assert according["content"] == ["Kurds seized Raqqa on Friday"]
    assert according["intermediary"] == "Reuters"


def test_cue_finder_skips_a_reporting_noun():
    text = "News reports said the army left."
    finder = AttributionFinder(load_lexicons(), text, split_sentences(text), [])
    assert [text[a:b] for a, b in finder.cues(0, len(text))] == ["said"]


def test_mention_finder_is_usable_on_its_own():
    text = "Reuters reported it."
    found = MentionFinder(load_lexicons(), text, split_sentences(text)).find()
    assert [(m.text, m.type) for m in found][:1] == [("Reuters", "ORG")]


# --- end to end ----------------------------------------------------------------------------


def test_end_to_end_on_the_seed_validates_and_is_deterministic():
    extractor = RulesExtractor()
    assert isinstance(extractor, Extractor)
    sources = [
        SourceDocument("seed", SEED.read_text("utf-8"), DCT),
        SourceDocument("empty", "", None),
        SourceDocument("plain", "nothing here at all", None),
    ]
    first = list(extractor.extract(sources))
    second = list(RulesExtractor().extract(sources))
    assert first == second
    check_predictions(extractor, sources, first)
    assert first[1].mentions == () and first[1].events == ()
    for doc in (first[0], first[2]):  # the schema itself forbids an empty text
        _, problems = validate_record(document_to_dict(doc), "prediction")
        assert problems == [], problems
    seed = first[0]
    assert len(seed.mentions or ()) > 150
    assert len(seed.time_expressions or ()) >= 10
    assert len(seed.events or ()) >= 20
    assert len(seed.attributions or ()) >= 15
