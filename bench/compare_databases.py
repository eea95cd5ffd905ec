"""Compare two built databases table by table (a check for build refactorings, not a test).

    .venv/bin/python bench/compare_databases.py before.duckdb after.duckdb [--tolerance 1e-9]

For every table in either database: present in both, same columns, same row count, and no row of
one missing from the other (``EXCEPT ALL`` both ways). Floating-point columns are compared after
rounding to ``--tolerance`` relative precision, since a parallel sum may add in another order.
``build_info`` (build time, fingerprint) is compared on its keys only. Exit code 1 on a difference.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

SKIP_VALUES = {"build_info": "key"}


def _tables(con: duckdb.DuckDBPyConnection, alias: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = ? "
        "ORDER BY table_name, column_index",
        [alias],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        tables.setdefault(table, []).append((column, kind))
    return tables


def _expression(column: str, kind: str, digits: int) -> str:
    quoted = f'"{column}"'
    if kind in ("DOUBLE", "FLOAT") or kind.startswith("DECIMAL"):
        # relative rounding: ``digits`` significant digits
        return (
            f"CASE WHEN {quoted} IS NULL OR {quoted} = 0 OR isinf({quoted}) OR isnan({quoted}) "
            f"THEN {quoted} ELSE round({quoted}, {digits} - 1 - floor(log10(abs({quoted})))::INTEGER) "
            f"END AS {quoted}"
        )
    return quoted


def compare_table(con, table: str, columns: list[tuple[str, str]], digits: int) -> list[str]:
    if table in SKIP_VALUES:
        columns = [c for c in columns if c[0] == SKIP_VALUES[table]]
    select = ", ".join(_expression(c, k, digits) for c, k in columns)
    problems = []
    counts = [con.execute(f'SELECT count(*) FROM {db}."{table}"').fetchall()[0][0] for db in ("a", "b")]
    if counts[0] != counts[1]:
        problems.append(f"{table}: {counts[0]} rows before, {counts[1]} after")
    for first, second in (("a", "b"), ("b", "a")):
        missing = con.execute(
            f'SELECT count(*) FROM (SELECT {select} FROM {first}."{table}" '
            f'EXCEPT ALL SELECT {select} FROM {second}."{table}")'
        ).fetchall()[0][0]
        if missing:
            example = con.execute(
                f'SELECT {select} FROM {first}."{table}" EXCEPT ALL SELECT {select} FROM {second}."{table}" '
                "LIMIT 3"
            ).fetchall()
            side = "before" if first == "a" else "after"
            problems.append(f"{table}: {missing} rows only {side}: {example}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--digits", type=int, default=12, help="significant digits of floating-point values")
    args = parser.parse_args()
    con = duckdb.connect()
    con.execute("ATTACH ? AS a (READ_ONLY)", [args.before])
    con.execute("ATTACH ? AS b (READ_ONLY)", [args.after])
    before, after = _tables(con, "a"), _tables(con, "b")
    problems = [f"{t}: only before" for t in sorted(set(before) - set(after))]
    problems += [f"{t}: only after" for t in sorted(set(after) - set(before))]
    for table in sorted(set(before) & set(after)):
        if before[table] != after[table]:
            problems.append(f"{table}: columns {before[table]} before, {after[table]} after")
            continue
        problems += compare_table(con, table, before[table], args.digits)
    for problem in problems:
        print(problem)
    print(f"{len(set(before) & set(after))} tables compared, {len(problems)} difference(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
