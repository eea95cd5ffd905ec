"""Population by single year of age as arrays for the projection, read through the query layer.

One array ``values[municipality, year, age]`` (persons on 1 January; NaN where SSB gives no figure for
that municipality and year) with ages 0 … ``OPEN_AGE`` − 1 and the open group ``OPEN_AGE``+. Single ages
above 90 hold a handful of persons even in large municipalities, so they are pooled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nokkeltall import queries

OPEN_AGE = 90
N_AGES = OPEN_AGE + 1

Columns = dict[str, np.ndarray]  # municipality_number, age, persons (and year), one row each


class ProjectionError(ValueError):
    """A projection cannot be made as asked (message in Norwegian, for the user)."""


@dataclass(frozen=True)
class PopulationData:
    codes: tuple[str, ...]
    names: tuple[str, ...]
    counties: tuple[str, ...]
    years: tuple[int, ...]
    values: np.ndarray  # [municipality, year, age], float64, NaN = missing

    @property
    def first_year(self) -> int:
        return self.years[0]

    @property
    def last_year(self) -> int:
        return self.years[-1]

    def index(self, code: str) -> int:
        try:
            return self.codes.index(code)
        except ValueError:
            raise ProjectionError(f"Ukjent kommune «{code}».") from None

    def year_index(self, year: int) -> int:
        return year - self.first_year

    def until(self, year: int) -> PopulationData:
        """The data as it was known in ``year``: every later year removed."""
        keep = [y for y in self.years if y <= year]
        return PopulationData(self.codes, self.names, self.counties, tuple(keep), self.values[:, : len(keep)])

    def select(self, index: int) -> PopulationData:
        """One municipality's figures alone (the same arrays' row, not a copy)."""
        rows = slice(index, index + 1)
        return PopulationData(
            self.codes[rows], self.names[rows], self.counties[rows], self.years, self.values[rows]
        )

    def totals(self) -> np.ndarray:
        """[municipality, year] total population (NaN where missing)."""
        return self.values.sum(axis=2)


def from_frames(population: pd.DataFrame, municipalities: pd.DataFrame) -> PopulationData:
    """Arrays from long rows (municipality_number or _code, year, age, persons) and the municipality list
    (municipality_code, name, county_code). Rows of the same municipality, year and age are added up,
    and ages above ``OPEN_AGE`` go to the open group."""
    number = "municipality_number" if "municipality_number" in population else "municipality_code"
    columns = {
        "municipality_number": population[number].astype(int).to_numpy(),
        **{name: population[name].to_numpy() for name in ("year", "age", "persons")},
    }
    years = range(int(population["year"].min()), int(population["year"].max()) + 1)
    chosen = ({name: rows[columns["year"] == year] for name, rows in columns.items()} for year in years)
    return _assemble(municipalities, tuple(years), chosen)


def from_connection(con) -> PopulationData:
    """Read a year at a time: all 800 000 rows at once, and their copies, were some 50 MB of the server's
    memory for a moment."""
    known = queries.population_single_age_years(con)
    if not known:
        raise ProjectionError("Datagrunnlaget har ingen befolkningstall etter alder.")
    years = range(known[0], known[-1] + 1)
    by_year = (queries.population_single_age_columns(con, OPEN_AGE, year) for year in years)
    return _assemble(queries.municipalities(con), tuple(years), by_year)


def _assemble(
    municipalities: pd.DataFrame, years: tuple[int, ...], by_year: Iterable[Columns]
) -> PopulationData:
    munis = municipalities.sort_values("municipality_code")
    codes = tuple(munis["municipality_code"])
    numbers = np.array([int(code) for code in codes], dtype=np.int64)
    values = np.full((len(codes), len(years), N_AGES), np.nan)
    for index, rows in enumerate(by_year):
        values[:, index] = _one_year(rows, numbers)
    return PopulationData(codes, tuple(munis["name"]), tuple(munis["county_code"]), years, values)


def _one_year(rows: Columns, numbers: np.ndarray) -> np.ndarray:
    """[municipality, age] of one year: the rows (municipality_number, age, persons) of the
    municipalities ``numbers`` added up, NaN for a municipality without rows."""
    given = rows["municipality_number"].astype(np.int64)
    position = np.full(max(numbers.max(initial=0), given.max(initial=0)) + 1, -1, dtype=np.int64)
    position[numbers] = np.arange(len(numbers))
    m = position[given]
    keep = m >= 0
    m, a = m[keep], np.minimum(rows["age"][keep].astype(np.int64), OPEN_AGE)  # rows of one age add up
    added = np.bincount(m * N_AGES + a, weights=rows["persons"][keep], minlength=len(numbers) * N_AGES)
    year = added.astype(np.float64, copy=False).reshape(len(numbers), N_AGES)  # no rows: bincount gives ints
    year[np.bincount(m, minlength=len(numbers)) == 0] = np.nan
    return year
