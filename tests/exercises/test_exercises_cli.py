"""`deltanet exercises`: the table, --json, --markdown (docs/exercises.md), --explain, selection and errors."""

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from cli_helpers import assert_one_error_line, cli  # noqa: E402

from deltanet.exercises import registry, run_all  # noqa: E402

DOC = Path(__file__).resolve().parents[2] / "docs" / "exercises.md"
FIELDS = {"id", "source", "claim", "computed", "verdict", "correction", "value"}


@pytest.fixture(scope="module")
def records():
    return run_all()


def test_json_covers_every_seed_sheet_with_complete_records(capsys):
    status, out, _ = cli(capsys, "exercises", "--json")
    assert status == 0
    entries = json.loads(out)
    assert len(entries) >= 40
    assert all(set(e) == FIELDS for e in entries)                            # --explain adds the trace
    assert len({e["id"] for e in entries}) == len(entries)
    per_sheet = {n: [e for e in entries if e["source"].startswith(seed)] for n, seed in registry.SEED_FILES.items()}
    assert all(len(rows) >= 5 for rows in per_sheet.values()), {n: len(r) for n, r in per_sheet.items()}
    assert sum(map(len, per_sheet.values())) == len(entries)
    for e in entries:
        assert e["verdict"] in registry.VERDICTS
        assert e["id"][:3] == e["source"][:3]                               # 000-… comes from 000_….txt
        assert bool(e["correction"]) == (e["verdict"] == "erratum"), e["id"]
        assert e["claim"] and e["computed"]


def test_table_lists_each_entry_once_and_counts_the_verdicts(records, capsys):
    status, out, _ = cli(capsys, "exercises")
    assert status == 0
    rows = [line.split()[:2] for line in out.splitlines() if re.match(r"\d{3}-", line)]
    assert [id for id, _ in rows] == [r["id"] for r in records]
    marks = {"agrees": "agrees", "ERRATUM": "erratum", "not": "not checkable"}
    assert [marks[mark] for _, mark in rows] == [r["verdict"] for r in records]
    n = {v: sum(r["verdict"] == v for r in records) for v in registry.VERDICTS}
    assert (f"{len(records)} results: {n['agrees']} agrees, {n['erratum']} erratum, "
            f"{n['not checkable']} not checkable.") in out


def test_a_prefix_selects_one_sheet_and_an_id_explains_itself(records, capsys):
    status, out, _ = cli(capsys, "exercises", "002")
    assert status == 0
    listed = re.findall(r"^(\d{3}-\S+)", out, flags=re.M)
    assert listed == [r["id"] for r in records if r["id"].startswith("002")]
    status, out, _ = cli(capsys, "exercises", "000-q1-1-xor-weights")
    assert status == 0
    assert "[ERRATUM]" in out and "b⁽¹⁾ = (0, −1)" in out
    assert "source:     000_d25f99bb151bed0a.txt, Q1(1)" in out and "  | " in out     # the trace behind it


def test_an_unknown_id_is_one_line_naming_it(capsys):
    status, _, err = cli(capsys, "exercises", "999-nothing")
    assert status == 1
    assert_one_error_line(err, "999-nothing", "deltanet exercises")


def test_docs_exercises_md_is_what_the_markdown_command_prints_now(records, capsys):
    """The committed document lists the same entries with the same verdicts and corrections as the code
    computes (the numbers in `computed` are not compared: their last digits may differ across BLAS builds)."""
    status, out, _ = cli(capsys, "exercises", "--markdown")
    assert status == 0

    def rows(text):
        return [line.split(" | ")[:2] + [line.split(" | ")[-1]] for line in text.splitlines()
                if re.match(r"\| \d{3}-", line)]

    assert rows(DOC.read_text()) == rows(out)
    assert [row[0].lstrip("| ") for row in rows(out)] == [r["id"] for r in records]
    counts = re.compile(r"^\d+ results: .*\.$", flags=re.M)
    assert counts.findall(DOC.read_text()) == counts.findall(out)
