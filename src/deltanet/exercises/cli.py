"""`deltanet exercises [ID] [--explain] [--json | --markdown]`: the sheets' checkable results, recomputed."""

from __future__ import annotations

import json
import textwrap


def add_parser(commands) -> None:
    """Register `deltanet exercises` on the CLI's subcommands."""
    parser = commands.add_parser(
        "exercises", help="reproduce every checkable result of the source sheets; flags errata",
        description="Recompute the checkable results of the five source sheets (numbers, weights, gradient "
                    "formulas, parameter counts, constructions) and say whether each agrees with the sheet or is "
                    "an erratum, with the correction.")
    parser.add_argument("id", nargs="?", help="one entry (default: all); a prefix (000, 000-q2) selects several")
    parser.add_argument("--explain", action="store_true", help="show the computation behind each verdict")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the records as JSON")
    output.add_argument("--markdown", action="store_true",
                        help="print a markdown document: one table per sheet (what docs/exercises.md holds)")
    parser.set_defaults(handler=command_exercises)


def select(pattern: str | None) -> list[str]:
    """Entry ids equal to `pattern`, or starting with it; every id when it is None."""
    from deltanet.exercises import exercises

    known = exercises()
    ids = sorted(known)
    if pattern is None:
        return ids
    if pattern in known:
        return [pattern]
    chosen = [id for id in ids if id.startswith(pattern)]
    if not chosen:
        raise ValueError(f"no exercise matches {pattern!r}; `deltanet exercises` lists all {len(ids)} ids")
    return chosen


def command_exercises(args) -> int:
    from deltanet.exercises import run

    records = [run(id) for id in select(args.id)]
    if args.json:
        print(json.dumps(records if args.explain else [_without_explain(r) for r in records], indent=2))
        return 0
    if args.markdown:
        print(markdown(records), end="")
        return 0
    if args.explain or len(records) == 1:
        for record in records:
            print(explain(record))
    else:
        print(table(records))
    return 0


def _without_explain(record: dict) -> dict:
    return {key: value for key, value in record.items() if key != "explain"}


MARK = {"agrees": "agrees", "erratum": "ERRATUM", "not checkable": "not checkable"}


def table(records: list[dict]) -> str:
    """One line per entry (id, verdict, computed), then the counts of each verdict."""
    width = max(len(r["id"]) for r in records)
    lines = [f"{'id':<{width}}  {'verdict':<13}  computed", "-" * (width + 2 + 13 + 2 + 40)]
    for r in records:
        lines.append(f"{r['id']:<{width}}  {MARK[r['verdict']]:<13}  {_one_line(r['computed'], 90)}")
    lines.append("")
    lines.append(counts(records) + ".  `deltanet exercises ID --explain` shows one in full.")
    return "\n".join(lines)


def counts(records: list[dict]) -> str:
    """'N results: a agrees, e erratum, n not checkable'."""
    return f"{len(records)} results: " + ", ".join(f"{sum(r['verdict'] == v for r in records)} {v}" for v in MARK)


def markdown(records: list[dict]) -> str:
    """A document with one table per seed sheet: id, verdict, the sheet's claim, what deltanet computes and,
    for an erratum, the correction."""
    lines = ["# The sheets' checkable results, recomputed by deltanet", "",
             "Made by `deltanet exercises --markdown > docs/exercises.md` (a test keeps it in step with the code);",
             "`deltanet exercises ID --explain` shows the computation behind one entry.", "",
             counts(records) + ".", ""]
    sheets = {}
    for r in records:
        sheets.setdefault(r["source"].split(",")[0], []).append(r)
    for seed_file, rows in sheets.items():
        lines += [f"## {seed_file}", "", counts(rows) + ".", "",
                  "| id | verdict | the sheet says | deltanet computes | correction |", "|---|---|---|---|---|"]
        lines += [f"| {r['id']} | {MARK[r['verdict']]} | " + " | ".join(
            _cell(text) for text in (r["source"].split(", ", 1)[1] + ": " + r["claim"], r["computed"],
                                     r["correction"] or "")) + " |" for r in rows]
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def explain(record: dict) -> str:
    """A full entry: source, claim, computed, verdict, correction, and the trace behind it."""
    lines = [f"{record['id']}  [{MARK[record['verdict']]}]",
             f"  source:     {record['source']}",
             f"  claim:      {record['claim']}",
             f"  computed:   {record['computed']}"]
    if record["correction"]:
        lines.append(f"  correction: {record['correction']}")
    if record["explain"]:
        lines.append(textwrap.indent(record["explain"].rstrip(), "  | "))
    return "\n".join(lines) + "\n"


def _one_line(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
