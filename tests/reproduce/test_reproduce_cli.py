"""`deltanet reproduce`: --quick runs on real MNIST through the CLI write the tables (right rows, reference
numbers, QUICK label) into --out and never touch docs/results.md; the section update of docs/results.md
replaces only its own section."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import deltanet as dn
from deltanet import reproduce
from deltanet.cli import main

REPO_DOC = Path(__file__).resolve().parents[2] / "docs" / "results.md"

EXPECTED = {
    "nielsen-ch1": [("[784, 30, 10]", "95.42 %"), ("[784, 100, 10]", "96.59 %")],
    "nielsen-ch3": [("η = 0.5, 30 epochs, N(0, 1/n_in) init", "97.92 %"),
                    ("η = 0.1, 60 epochs, N(0, 1/n_in) init", "98.04 %"),
                    ("η = 0.5, 30 epochs, N(0, 1) init", "97.92 %"),
                    ("η = 0.1, 60 epochs, N(0, 1) init", "98.04 %")],
    "encodings": 2 * [("one-hot, 100 hidden", "96.00 %"), ("binary, 100 hidden", "90.00 %"),
                      ("binary, 100 + 10 hidden, no L2", "—"), ("binary, 100 + 10 hidden, L2", "93.50 %"),
                      ("one-hot, no hidden layer", "90.00 %"), ("binary, no hidden layer", "75.00 %")],
}


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture(scope="module")
def quick_all(tmp_path_factory):
    """`deltanet reproduce all --quick` once, from an empty working directory (where the default
    docs/results.md would be written), with the output in its own folder."""
    work = tmp_path_factory.mktemp("work")
    out = work / "out"
    before = _digest(REPO_DOC)
    dtype = dn.get_default_dtype()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(work)
        status = main(["reproduce", "all", "--quick", "--out", str(out), "--seed", "1"])
    return {"status": status, "work": work, "out": out, "repo_doc_before": before, "dtype": dtype}


def _rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("| ") and "---" not in line][1:]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_quick_run_writes_the_table_with_the_expected_rows(quick_all, name):
    assert quick_all["status"] == 0
    report = (quick_all["out"] / f"{name}.md").read_text()
    rows = _rows(report)
    assert len(rows) == len(EXPECTED[name])
    for row, (label, reference) in zip(rows, EXPECTED[name]):
        assert label in row and reference in row, row
        cells = [c.strip() for c in row.strip("|").split("|")]
        accuracies = [c for c in cells if c.endswith("%") and c != reference]
        assert accuracies, row
        for cell in accuracies:   # 2 epochs on QUICK_TRAIN examples: far above chance (10 %)
            assert 30.0 < float(cell.split()[0]) <= 100.0, row
    assert "QUICK RUN" in report and "not** comparable" in report
    assert "deltanet reproduce all --quick --seed 1" in report
    assert "Wall time:" in report and "CPU core" in report


@pytest.mark.parametrize("name", list(EXPECTED))
def test_quick_run_records_per_epoch_histories(quick_all, name):
    saved = json.loads((quick_all["out"] / f"{name}.json").read_text())
    assert saved["quick"] is True and saved["seed"] == 1
    assert len(saved["runs"]) == len(EXPECTED[name])
    for run in saved["runs"]:
        assert run["n_train"] == reproduce.QUICK_TRAIN
        assert [r["epoch"] for r in run["history"]] == list(range(1, reproduce.QUICK_EPOCHS + 1))
        assert all(0.0 <= r["test_accuracy"] <= 1.0 for r in run["history"])


def test_quick_run_leaves_docs_results_alone(quick_all):
    assert not (quick_all["work"] / "docs").exists()
    assert _digest(REPO_DOC) == quick_all["repo_doc_before"]
    assert dn.get_default_dtype() == quick_all["dtype"]   # float64 only inside the run


def test_update_section_replaces_only_its_own_section(tmp_path):
    doc = tmp_path / "docs" / "results.md"
    reproduce.update_section(doc, "encodings", "## Encodings\n\nfirst")
    text = doc.read_text()
    assert text.startswith(reproduce.DOC_TITLE)
    for name in reproduce.REPRODUCTIONS:   # a new file has a place for every reproduction, in order
        assert f"<!-- reproduce:{name} begin -->" in text
    assert "first" in text and "Not run yet: `deltanet reproduce nielsen-ch1`" in text
    doc.write_text(doc.read_text() + "\nHand-written discussion.\n")
    reproduce.update_section(doc, "nielsen-ch1", "## Ch1\n\nnumbers")
    reproduce.update_section(doc, "encodings", "## Encodings\n\nsecond")
    text = doc.read_text()
    assert "second" in text and "first" not in text and "numbers" in text
    assert "Hand-written discussion." in text
    assert text.count("<!-- reproduce:encodings begin -->") == 1
    assert text.index("numbers") < text.index("second")   # sections stay where they were
    reproduce.update_section(doc, "custom", "extra")          # an unknown section is appended
    assert doc.read_text().rstrip().endswith("<!-- reproduce:custom end -->")


def test_full_report_states_command_date_machine_wall_time_and_settings():
    setting = reproduce.NIELSEN_CH1.settings[0]
    records = [{"epoch": 1, "test_accuracy": 0.9}, {"epoch": 2, "test_accuracy": 0.95},
               {"epoch": 3, "test_accuracy": 0.94}]
    result = reproduce.RunResult(setting, [784, 30, 10], 50_000, 3, records, 12.0)
    meta = {"command": "deltanet reproduce nielsen-ch1", "date": "2025-01-02 03:04 UTC",
            "machine": reproduce.machine(), "wall": 75.0, "seed": 0, "quick": False}
    text = reproduce.render(reproduce.NIELSEN_CH1, [result], meta, level=2)
    assert text.startswith("## Nielsen ch. 1") and "QUICK" not in text
    for part in ("`deltanet reproduce nielsen-ch1`", "2025-01-02 03:04 UTC", "CPU core", "1 min 15 s",
                 "η = 3.0", "50,000 training examples"):
        assert part in text
    row = _rows(text)[0]
    assert "95.42 %" in row and "94.00 %" in row and "95.00 % (epoch 2)" in row and "-0.42" in row


def test_cli_lists_and_validates_reproductions(capsys):
    with pytest.raises(SystemExit) as error:
        main(["reproduce", "nielsen-ch2"])
    assert error.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["reproduce", "--help"])
    out = capsys.readouterr().out
    for name in (*reproduce.REPRODUCTIONS, "all", "--quick", "--out", "--seed"):
        assert name in out
    with pytest.raises(SystemExit):
        main(["reproduce", "all", "--seed", "-3"])
    assert "≥ 0" in capsys.readouterr().err
