"""The LLM baseline against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from newsbench.baselines.base import (
    LAYER_NAMES,
    ExtractorConfigError,
    ExtractorUnavailable,
    SourceDocument,
    check_predictions,
)
from newsbench.baselines.llm import (
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_MODEL,
    ENV_TIMEOUT,
    LLMExtractor,
    chunk_paragraphs,
    parse_answer,
    system_prompt,
)
from newsbench.baselines.runner import build_extractor, run_extractor
from newsbench.schema.contract import ENTITY_TYPES, EVENT_TYPES, ROLES, TIMEX_TYPES
from newsbench.schema.model import Document, document_to_dict
from newsbench.schema.validate import validate_record

from .fake_llm_server import FakeLLMServer, Reply

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_b245f45723a17301.txt"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (ENV_BASE_URL, ENV_MODEL, ENV_API_KEY, ENV_TIMEOUT):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_llm() -> Iterator[Callable[..., FakeLLMServer]]:
    """Start fake servers on demand; every one stops when the test ends."""
    servers: list[FakeLLMServer] = []

    def start(*args: Any, **kwargs: Any) -> FakeLLMServer:
        server = FakeLLMServer(*args, **kwargs).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record the address of every socket connect made during the test."""
    seen: list[Any] = []
    original = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        seen.append(address)
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


def _at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def _valid(extractor: LLMExtractor, sources: list[SourceDocument], docs: list[Document]) -> None:
    check_predictions(extractor, sources, docs)
    for doc in docs:
        _, problems = validate_record(document_to_dict(doc), "prediction")
        assert problems == [], problems


def _unaligned(extractor: LLMExtractor, doc_id: str) -> set[tuple[Any, ...]]:
    report = extractor.reports[doc_id]
    return {(u.layer, u.chunk, u.index, u.field, u.dropped) for u in report.unaligned}


# --- configuration ------------------------------------------------------------------------


def test_not_configured_names_the_environment_variables() -> None:
    with pytest.raises(ExtractorUnavailable) as info:
        LLMExtractor()
    assert ENV_BASE_URL in str(info.value) and ENV_MODEL in str(info.value)
    with pytest.raises(ExtractorUnavailable, match=ENV_MODEL):
        LLMExtractor(base_url="http://127.0.0.1:9/v1")


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://127.0.0.1/v1", "127.0.0.1:8000/v1", "http://user:pw@host/v1"],
)
def test_refuses_urls_that_are_not_plain_http(url: str) -> None:
    with pytest.raises(ExtractorConfigError, match="http"):
        LLMExtractor(base_url=url, model="m")


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        (ENV_BASE_URL, "http://[::1", "is not a URL"),
        (ENV_BASE_URL, "http://127.0.0.1:99999/v1", "invalid port"),
        (ENV_TIMEOUT, "inf", "finite number of seconds above 0"),
        (ENV_TIMEOUT, "nan", "finite number of seconds above 0"),
        (ENV_TIMEOUT, "-1", "finite number of seconds above 0"),
        (ENV_TIMEOUT, "0", "finite number of seconds above 0"),
        (ENV_TIMEOUT, "soon", "number of seconds"),
    ],
)
def test_a_bad_configuration_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    capsys: Any,
    variable: str,
    value: str,
    words: str,
) -> None:
    from newsbench.eval.cli import main

    monkeypatch.setenv(ENV_BASE_URL, "http://127.0.0.1:9/v1")
    monkeypatch.setenv(ENV_MODEL, "m")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ExtractorConfigError, match=words):
        LLMExtractor()
    out = tmp_path / "p.jsonl"
    assert main(["run", "llm", "--out", str(out)]) == 2  # never a silent 0.0 row
    assert words in capsys.readouterr().err
    assert not out.exists()
    assert main(["bench", "--only", "llm", "--out-dir", str(tmp_path / "b")]) == 2
    assert words in capsys.readouterr().err


def test_environment_configures_the_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BASE_URL, "http://127.0.0.1:11434/v1/")
    monkeypatch.setenv(ENV_MODEL, "tiny")
    monkeypatch.setenv(ENV_TIMEOUT, "7.5")
    extractor = build_extractor("llm", [])
    assert isinstance(extractor, LLMExtractor)
    assert extractor.url == "http://127.0.0.1:11434/v1/chat/completions"
    assert extractor.model == "tiny" and extractor.timeout == 7.5
    assert extractor.layers == LAYER_NAMES


def test_server_down_names_the_url(connections: list[Any]) -> None:
    with socket.socket() as probe:  # find a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    extractor = LLMExtractor(base_url=url, model="m", retry_backoff=0)
    with pytest.raises(ExtractorUnavailable, match=f"127.0.0.1:{port}/v1/chat/completions"):
        list(extractor.extract([SourceDocument("d", "Rebels entered Homs.")]))
    assert {address for address in connections} == {("127.0.0.1", port)}


def test_http_error_that_retrying_cannot_fix_is_unavailable(
    fake_llm: Callable[..., FakeLLMServer],
) -> None:
    server = fake_llm([Reply(status=401, body=b'{"error": "bad key"}')])
    extractor = LLMExtractor(base_url=server.base_url, model="m", api_key="k", retry_backoff=0)
    with pytest.raises(ExtractorUnavailable, match=r"HTTP 401.*bad key"):
        list(extractor.extract([SourceDocument("d", "Rebels entered Homs.")]))


def test_transient_errors_are_retried_then_reported(
    fake_llm: Callable[..., FakeLLMServer],
) -> None:
    answer = json.dumps({"mentions": [{"text": "Homs", "type": "GPE", "mention_type": "NAM"}]})
    server = fake_llm([Reply(status=503, body=b"busy"), answer])
    extractor = LLMExtractor(
        base_url=server.base_url, model="m", layers=frozenset({"mentions"}), retry_backoff=0
    )
    source = SourceDocument("d", "Rebels entered Homs.")
    (doc,) = extractor.extract([source])
    assert len(server.requests) == 2
    assert [(m.text, m.type) for m in doc.layer("mentions")] == [("Homs", "GPE")]
    # Nothing left to answer: HTTP 500 every time -> the chunk is reported, nothing raised.
    (doc,) = extractor.extract([source])
    assert doc.mentions == ()
    report = extractor.last_report
    assert report is not None and report.failed_chunks == 1
    assert "no answer after 3 attempt(s)" in report.unaligned[0].reason
    assert len(server.requests) == 5


def test_endpoint_that_never_answers_is_unavailable(
    fake_llm: Callable[..., FakeLLMServer],
) -> None:
    server = fake_llm()  # nothing to answer: HTTP 500 every time
    extractor = LLMExtractor(base_url=server.base_url, model="m", max_retries=1, retry_backoff=0)
    with pytest.raises(ExtractorUnavailable, match=f"{server.base_url}/chat/completions"):
        list(extractor.extract([SourceDocument("d", "Rebels entered Homs.")]))
    assert len(server.requests) == 2


# --- prompt and parsing --------------------------------------------------------------------


def test_prompt_lists_the_schema_vocabularies_and_no_seed_material() -> None:
    prompt = system_prompt(LAYER_NAMES)
    for label in (*ENTITY_TYPES, *EVENT_TYPES, *TIMEX_TYPES, *ROLES):
        assert label in prompt
    for leak in ("Damascus", "Homs", "Hezbollah", "Iran", "Reuters", "2024-12"):
        assert leak not in prompt
    only = system_prompt({"mentions"})
    assert '"mentions"' in only and "attributions" not in only


def test_parse_answer_tolerates_fences_and_chatter() -> None:
    assert parse_answer('```json\n{"mentions": []}\n```') == {"mentions": []}
    assert parse_answer('Sure! {"events": []} Hope this helps.') == {"events": []}
    with pytest.raises(ValueError, match="malformed JSON"):
        parse_answer('{"mentions": [')
    with pytest.raises(ValueError, match="not an object"):
        parse_answer("[1, 2]")


def test_chunks_are_whole_paragraphs_with_absolute_offsets() -> None:
    text = SEED.read_text("utf-8")
    chunks = chunk_paragraphs(text, 1500)
    assert len(chunks) > 1
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert "\n".join(c.text for c in chunks) == text
    assert all(len(c.text) <= 1500 or "\n" not in c.text for c in chunks)
    assert chunk_paragraphs("one\n\n  \ntwo", 3) == chunk_paragraphs("one\n\n  \ntwo", 3)
    assert [c.text for c in chunk_paragraphs("one\n\n  \ntwo", 3)] == ["one", "two"]


# --- end to end: a short text ---------------------------------------------------------------

SHORT = "Syrian rebels said they entered Homs on Saturday. The army left Homs."


def _short_answer() -> str:
    return json.dumps(
        {
            "mentions": [
                {"text": "rebels", "type": "PER", "mention_type": "NOM", "entity": "e1"},
                {"text": "Syrian", "type": "GPE", "mention_type": "NAM", "entity": "e2"},
                {"text": "they", "type": "PER", "mention_type": "PRO", "entity": "e1"},
                {
                    "text": "Homs",
                    "type": "GPE",
                    "mention_type": "NAM",
                    "entity": "e3",
                    "context": "The army left Homs",
                },
                {
                    "text": "Homs",
                    "type": "GPE",
                    "mention_type": "NAM",
                    "entity": "e3",
                    "context": "they entered Homs on Saturday",
                },
                {"text": "army", "type": "ORGANISATION", "mention_type": "NOM"},
                {"text": "Hmos", "type": "GPE", "mention_type": "NAM"},
            ],
            "time_expressions": [{"text": "saturday", "type": "DATE", "value": "2024-12-07"}],
            "events": [
                {
                    "trigger": "entered",
                    "type": "Movement.TransportPerson",
                    "realis": "ACTUAL",
                    "arguments": [
                        {"role": "Person", "text": "they"},
                        {"role": "Destination", "text": "Homs"},
                        {"role": "Time", "text": "Saturday"},
                        {"role": "Attacker", "text": "they"},
                        {"role": "Agent", "text": "the army"},
                    ],
                },
            ],
            "attributions": [
                {
                    "cue": "said",
                    "source": "Syrian rebels",
                    "content": "they entered Homs on Saturday",
                    "mode": "INDIRECT",
                    "source_class": "UNNAMED",
                }
            ],
        }
    )


def test_short_text_end_to_end(
    fake_llm: Callable[..., FakeLLMServer], connections: list[Any]
) -> None:
    server = fake_llm([_short_answer()])
    extractor = LLMExtractor(base_url=server.base_url, model="tiny", api_key="secret", seed=7)
    sources = [SourceDocument("short", SHORT, "2024-12-08")]
    docs = list(extractor.extract(sources))
    _valid(extractor, sources, docs)
    (doc,) = docs

    mentions = {(m.start, m.end): m for m in doc.layer("mentions")}
    assert sorted(mentions) == sorted(
        [
            _at(SHORT, "rebels"),
            _at(SHORT, "Syrian"),
            _at(SHORT, "they"),
            _at(SHORT, "Homs", 0),
            _at(SHORT, "Homs", 1),
        ]
    )
    first_homs, second_homs = mentions[_at(SHORT, "Homs", 0)], mentions[_at(SHORT, "Homs", 1)]
    assert first_homs.entity == second_homs.entity
    assert mentions[_at(SHORT, "they")].entity == mentions[_at(SHORT, "rebels")].entity
    (timex,) = doc.layer("time_expressions")
    assert (timex.start, timex.end, timex.text) == (*_at(SHORT, "Saturday"), "Saturday")
    (event,) = doc.layer("events")
    assert (event.trigger.start, event.trigger.end) == _at(SHORT, "entered")
    assert {(a.role, a.ref) for a in event.arguments or ()} == {
        ("Person", mentions[_at(SHORT, "they")].id),
        ("Destination", first_homs.id),  # the Homs nearest to the trigger
        ("Time", timex.id),
    }
    (attribution,) = doc.layer("attributions")
    assert [(c.start, c.end) for c in attribution.cue] == [_at(SHORT, "said")]
    assert [(c.start, c.end) for c in attribution.content] == [
        _at(SHORT, "they entered Homs on Saturday")
    ]
    assert attribution.source is not None
    assert (attribution.source.start, attribution.source.end) == _at(SHORT, "Syrian rebels")
    assert attribution.source.mention == mentions[_at(SHORT, "rebels")].id

    assert _unaligned(extractor, "short") == {
        ("mentions", 0, 5, "type", "item"),
        ("mentions", 0, 6, "text", "item"),
        ("events", 0, 0, "arguments[3].role", "argument"),
        ("events", 0, 0, "arguments[4].text", "argument"),
    }
    report = extractor.reports["short"]
    assert extractor.last_report is report
    assert (report.returned, report.aligned, report.chunks, report.failed_chunks) == (10, 8, 1, 0)
    assert report.methods == {"exact": 9, "normalised": 1}

    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer secret"
    body = request["body"]
    assert body["model"] == "tiny" and body["temperature"] == 0 and body["seed"] == 7
    assert body["response_format"] == {"type": "json_object"}
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert (
        SHORT in body["messages"][1]["content"] and "2024-12-08" in body["messages"][1]["content"]
    )
    assert connections and all(a == ("127.0.0.1", server.port) for a in connections)


def test_declared_layers_only(fake_llm: Callable[..., FakeLLMServer]) -> None:
    server = fake_llm([_short_answer()])
    extractor = LLMExtractor(
        base_url=server.base_url, model="m", layers=frozenset({"events", "time_expressions"})
    )
    sources = [SourceDocument("short", SHORT)]
    docs = list(extractor.extract(sources))
    _valid(extractor, sources, docs)
    (doc,) = docs
    assert doc.mentions is None and doc.attributions is None
    (event,) = doc.layer("events")
    assert [a.role for a in event.arguments or ()] == ["Time"]
    assert '"attributions"' not in server.requests[0]["body"]["messages"][0]["content"]


# --- end to end: the seed text ---------------------------------------------------------------

SEED_MARKERS = (
    "Syrian rebels said overnight",
    "At least 150 armored vehicles",
    "Thes developments come after",
    "A Syrian opposition fighter poses",
)


def _m(text: str, etype: str, mtype: Any, entity: str, context: str | None = None) -> dict:
    item = {"text": text, "type": etype, "mention_type": mtype, "entity": entity}
    if context is not None:
        item["context"] = context
    return item


def _seed_answers() -> dict[str, str]:
    chunk0 = {
        "mentions": [
            _m("rebels", "PER", "NOM", "e1", "Syrian rebels said overnight into Sunday"),
            _m("Syrian", "GPE", "NAM", "e2", "Syrian rebels said"),
            _m("they", "PER", "PRO", "e1", "into Sunday that they had begun entering"),
            _m("Damascus", "GPE", "NAM", "e3", "had begun entering Damascus as part"),
            _m("members", "PER", "NOM", "e4", "Two members of Iran's"),
            _m("Iran", "GPE", "NAM", "e5", "members of Iran's Revolutionary Guards"),
            _m("Revolutionary Guards", "ORG", "NAM", "e6"),
            _m("New York Times", "ORG", "NAM", "e7"),
            _m("sources", "PER", "NOM", "e8", "Two rebel sources told Reuters"),
            _m("Reuters", "ORG", "NAM", "e9", "Two rebel sources told Reuters"),
            _m("Syrian", "GPE", "NAME", "e2", "preparations by the Syrian army as they"),
            _m("Homs", "GPE", "NAM", "e10", "full control over Homs earlier"),
            _m("Israel", "GPE", "NAM", "e11", "told Reuters that Israel struck a convoy"),
            _m("convoy", "VEH", "NOM", "e12", "struck a convoy of Hezbollah"),
            _m("Hom", "GPE", "NAM", "e10"),
            _m("Damscus", "GPE", "NAM", "e3"),
            _m("Homs", "CITY", "NAM", "e10"),
        ],
        "time_expressions": [
            {
                "text": "overnight into Sunday",
                "type": "TIME",
                "value": "2024-12-08TNI",
                "context": "rebels said overnight into Sunday that",
            },
            {"text": "2018", "type": "DATE", "value": "2018"},
            {"text": "earlier during the night", "type": "TIME", "value": "Dec 8"},
        ],
        "events": [
            {
                "trigger": "entering",
                "type": "Movement.TransportPerson",
                "realis": "ACTUAL",
                "context": "had begun entering Damascus",
                "arguments": [
                    {"role": "Person", "text": "they"},
                    {"role": "Destination", "text": "Damascus"},
                    {"role": "Time", "text": "overnight into Sunday"},
                ],
            },
            {
                "trigger": "struck",
                "type": "Conflict.Attack",
                "realis": "ACTUAL",
                "arguments": [
                    {"role": "Attacker", "text": "Israel"},
                    {"role": "Target", "text": "a convoy of Hezbollah armored vehicles"},
                    {"role": "Victim", "text": "convoy"},
                    {"role": "Place", "text": "Qusayr"},
                ],
            },
            {
                "trigger": "seized",
                "type": "Transaction.TransferControl",
                "realis": "ACTUAL",
                "arguments": [{"role": "Territory", "text": "Homs"}],
            },
            {"trigger": "exploded", "type": "Conflict.Attack"},
            {"trigger": "retreating", "type": "Movement.Retreat"},
        ],
        "attributions": [
            {
                "cue": "said",
                "source": "Syrian rebels",
                "content": "they had begun entering Damascus as part of a rapidly moving offensive "
                "that has seen them take over some of Syria's largest cities across the country",
                "mode": "INDIRECT",
                "source_class": "UNNAMED",
            },
            {
                "cue": "confirmed to",
                "source": "Two members of Iran's Revolutionary Guards",
                "content": [
                    "rebel forces had entered the capital",
                    "Syrian army forces have begun retreating from the area",
                ],
                "mode": "INDIRECT",
                "source_class": "UNNAMED",
            },
            {
                "cue": "told",
                "source": "Two rebel sources",
                "content": "they encountered no military presence or preparations by the Syrian "
                "army as they entered the city",
                "mode": "indirect",
                "source_class": "unnamed",
            },
            {
                "cue": "said",
                "source": "the residents",
                "content": "they could hear the sound of intense clashes in one of the city's "
                "suburbs",
                "mode": "INDIRECT",
                "source_class": "UNNAMED",
            },
            {"cue": "whispered", "source": "CNN", "content": "residents said they could hear"},
            {
                "cue": "reported",
                "source": "CNN",
                "content": "residents said they could hear the sound of intense clashes in one of "
                "the city's suburbs",
                "mode": "SPEECH",
                "source_class": "NAMED_ORGANIZATION",
            },
        ],
    }
    chunk2 = {
        "mentions": [
            _m("Hayat Tahrir al-Sham", "ORG", "NAM", "e1"),
            _m("Aleppo", "GPE", "NAM", "e2"),
            _m("Reuters", "ORG", "NAM", "e3", "security sources who spoke with Reuters"),
            _m("Haaretz", "ORG", "NAM", "e4"),
            _m("Israel", "GPE", "NAM", "e5", "Haaretz reported that Israel is preparing"),
        ],
        "time_expressions": [
            {
                "text": "Friday",
                "type": "DATE",
                "value": "2024-12-06",
                "context": "by pressing onwards on Friday to Homs",
            },
            {
                "text": "Friday",
                "type": "DATE",
                "value": "2024-12-06",
                "context": "Later on Friday, U.S.-backed Syrian Kurds",
            },
            {"text": "Friday morning", "type": "TIME", "value": "2024-12-06TMO"},
        ],
        "events": [
            {
                "trigger": "takeovers",
                "type": "Transaction.TransferControl",
                "realis": "ACTUAL",
                "context": "their swift takeovers of Aleppo",
                "arguments": [
                    {"role": "Territory", "text": "Aleppo"},
                    {"role": "Recipient", "text": "Hayat Tahrir al-Sham"},
                ],
            },
            {
                "trigger": "seized",
                "type": "Transaction.TransferControl",
                "realis": "ACTUAL",
                "arguments": [
                    {"role": "Territory", "text": "Deir el-Zor"},
                    {"role": "Time", "text": "Friday"},
                ],
            },
        ],
        "attributions": [
            {
                "cue": "reported",
                "source": "Haaretz",
                "content": "Israel is preparing for the possibility of a surprise raid from the "
                "Syrian border",
                "mode": "INDIRECT",
                "source_class": "NAMED_ORGANIZATION",
            },
        ],
    }
    chunk3 = {
        "mentions": [
            _m("he", "PER", "PRO", "e1", 'friend," he wrote on his social'),
            _m("Hochstein", "PER", "NAM", "e2"),
            _m("Hochstein", "PER", "NAM", "e2"),
            _m("Hochstein", "PER", "NAM", "e2"),
            _m("Hochstein", "PER", "NAM", "e2"),
            _m("Israel", "GPE", "NAM", "e3"),
            "Truth Social",
        ],
        "time_expressions": "none",
        "events": [
            {
                "trigger": "attack",
                "type": "Conflict.Attack",
                "realis": "OTHER",
                "arguments": [
                    {"role": "Attacker", "text": "it"},
                    {"role": "Target", "text": "Israel"},
                ],
            },
        ],
        "attributions": [
            {
                "cue": "wrote",
                "source": "he",
                "content": "\u201cSyria is a mess, but is not our friend,\u201d",
                "mode": "DIRECT",
                "source_class": "NAMED_PERSON",
            },
        ],
    }
    return {
        SEED_MARKERS[0]: json.dumps(chunk0),
        SEED_MARKERS[1]: '{"mentions": [{"text": "Hezbollah", "type": "ORG"',
        SEED_MARKERS[2]: "Here you go:\n```json\n" + json.dumps(chunk2, indent=1) + "\n```",
        SEED_MARKERS[3]: json.dumps(chunk3),
    }


def test_seed_text_end_to_end(
    fake_llm: Callable[..., FakeLLMServer], connections: list[Any]
) -> None:
    text = SEED.read_text("utf-8")
    server = fake_llm(by_marker=_seed_answers())
    extractor = LLMExtractor(base_url=server.base_url, model="m", max_chunk_chars=1500)
    sources = [SourceDocument("000_b245f45723a17301", text, "2024-12-08")]
    docs = run_extractor(extractor, sources)  # checks and validates, as `newsbench run` does
    _valid(extractor, sources, docs)
    (doc,) = docs
    assert len(server.requests) == len(SEED_MARKERS)
    for marker, message in zip(SEED_MARKERS, server.user_messages, strict=True):
        assert marker in message and "2024-12-08" in message

    assert _unaligned(extractor, doc.id) == {
        # chunk 0
        ("mentions", 0, 10, "mention_type", "field"),
        ("mentions", 0, 14, "text", "item"),  # "Hom": only inside "Homs"
        ("mentions", 0, 15, "text", "item"),  # "Damscus": not in the text
        ("mentions", 0, 16, "type", "item"),  # "CITY"
        ("time_expressions", 0, 2, "value", "field"),  # "Dec 8"
        ("events", 0, 1, "arguments[2].role", "argument"),  # "Victim"
        ("events", 0, 1, "arguments[3].text", "argument"),  # "Qusayr": no predicted mention
        ("events", 0, 3, "trigger", "item"),  # "exploded"
        ("events", 0, 4, "type", "item"),  # "Movement.Retreat"
        ("attributions", 0, 3, "source", "field"),  # "the residents"
        ("attributions", 0, 4, "cue", "item"),  # "whispered"
        ("attributions", 0, 5, "mode", "field"),  # "SPEECH"
        # chunk 1: malformed JSON
        ("response", 1, None, "json", "item"),
        # chunk 2
        ("events", 2, 1, "arguments[0].text", "argument"),  # "Deir el-Zor": no mention
        # chunk 3
        ("mentions", 3, 4, "text", "item"),  # a fourth "Hochstein": all three taken
        ("mentions", 3, 6, "item", "item"),  # not a JSON object
        ("time_expressions", 3, None, "time_expressions", "item"),  # not a list
        ("events", 3, 0, "arguments[0].text", "argument"),  # "it": no predicted mention
    }
    report = extractor.reports[doc.id]
    assert (report.chunks, report.failed_chunks) == (4, 1)
    reasons = {(u.layer, u.chunk, u.index, u.field): u.reason for u in report.unaligned}
    assert reasons[("mentions", 0, 14, "text")] == "occurs only inside words (would split a word)"
    assert reasons[("mentions", 0, 15, "text")] == "not found in the text"
    assert "malformed JSON" in reasons[("response", 1, None, "json")]
    assert "already taken" in reasons[("mentions", 3, 4, "text")]
    assert report.returned == 17 + 3 + 5 + 6 + 5 + 3 + 2 + 1 + 7 + 1 + 1
    assert report.aligned == report.returned - sum(
        u.dropped == "item"
        for u in report.unaligned
        if u.layer != "response" and u.index is not None
    )

    mentions = {(m.start, m.end): m for m in doc.layer("mentions")}
    by_id = {m.id: m for m in doc.layer("mentions")}
    # Context picks the second "Syrian" of the third line, not the first of the document.
    line3 = text.index("Two rebel sources")
    second_syrian = text.index("Syrian army as they", line3)
    assert (second_syrian, second_syrian + 6) in mentions
    assert mentions[(second_syrian, second_syrian + 6)].mention_type is None
    assert (
        mentions[(second_syrian, second_syrian + 6)].entity == mentions[_at(text, "Syrian")].entity
    )
    # The three "Hochstein" without context take the three occurrences in order.
    assert [m.start for m in doc.layer("mentions") if m.text == "Hochstein"] == [
        _at(text, "Hochstein", k)[0] for k in range(3)
    ]
    # Equal names corefer across chunks: the two Reuters mentions are one entity.
    reuters = [m for m in doc.layer("mentions") if m.text == "Reuters"]
    assert len(reuters) == 2 and reuters[0].entity == reuters[1].entity
    assert reuters[0].start == _at(text, "Reuters")[0]
    assert reuters[1].start == text.index("Reuters", text.index("security sources who spoke"))

    events = {e.trigger.text: e for e in doc.layer("events")}
    struck = events["struck"]
    convoy = _at(text, "convoy")
    assert {(a.role, by_id[a.ref].start) for a in struck.arguments or ()} == {
        ("Attacker", text.index("Israel struck")),
        ("Target", convoy[0]),  # the head of "a convoy of Hezbollah armored vehicles"
    }
    seized = [e for e in doc.layer("events") if e.trigger.text == "seized"]
    assert [e.trigger.start for e in seized] == [
        _at(text, "seized", 0)[0],
        _at(text, "seized", 1)[0],
    ]
    timexes = {t.id: t for t in doc.layer("time_expressions")}
    (time_arg,) = [a for a in seized[1].arguments or () if a.role == "Time"]
    assert timexes[time_arg.ref].start == text.index("Friday", text.index("Later on Friday"))

    attributions = {a.cue[0].text: a for a in doc.layer("attributions")}
    confirmed = attributions["confirmed to"]
    assert [c.text for c in confirmed.content] == [
        "rebel forces had entered the capital",
        "Syrian army forces have begun retreating from the area",
    ]
    assert confirmed.source is not None and confirmed.source.mention is not None
    assert by_id[confirmed.source.mention].text == "members"
    residents = [a for a in doc.layer("attributions") if a.cue[0].text == "said"]
    assert [a.cue[0].start for a in residents] == [
        _at(text, "said", 0)[0],
        text.index("said", text.index("residents said")),
    ]
    assert residents[1].source is None
    wrote = attributions["wrote"]
    quote = '"Syria is a mess, but is not our friend,"'
    assert [(c.start, c.end, c.text) for c in wrote.content] == [(*_at(text, quote), quote)]
    assert wrote.source is not None and by_id[wrote.source.mention or ""].text == "he"
    assert wrote.source.start == text.index("he wrote")
    assert report.methods["normalised"] >= 1

    assert connections and all(a == ("127.0.0.1", server.port) for a in connections)


def test_answer_length_cap_from_the_environment(monkeypatch):
    from newsbench.baselines.base import ExtractorConfigError
    from newsbench.baselines.llm import LLMExtractor

    monkeypatch.setenv("NEWSBENCH_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("NEWSBENCH_LLM_MODEL", "m")
    monkeypatch.setenv("NEWSBENCH_LLM_MAX_TOKENS", "512")
    assert LLMExtractor().max_tokens == 512
    monkeypatch.setenv("NEWSBENCH_LLM_MAX_TOKENS", "lots")
    with pytest.raises(ExtractorConfigError, match="positive whole number"):
        LLMExtractor()
