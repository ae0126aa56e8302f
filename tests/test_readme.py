"""The README's Python examples run, and print what the README says they print."""

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


@pytest.mark.parametrize("source", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs_and_prints_what_it_claims(source):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, str(README), "exec"), {})
    printed = out.getvalue().splitlines()
    claimed = [line.split("#", 1)[1].strip() for line in source.splitlines() if "print(" in line and "#" in line]
    assert len(printed) == len(claimed)
    for got, comment in zip(printed, claimed):
        expected = comment.strip()
        assert got.strip() == expected, f"README claims {expected!r}, the code printed {got.strip()!r}"


def test_readme_has_blocks_and_the_two_commands():
    text = README.read_text()
    assert len(BLOCKS) >= 3
    assert "make run" in text and "make test" in text
