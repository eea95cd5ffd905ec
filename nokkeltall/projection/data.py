"""Population by single year of age as arrays for the projection, read through the query layer.

One array ``values[municipality, year, age]`` (persons on 1 January; NaN where SSB gives no figure for
that municipality and year) with ages 0 … ``OPEN_AGE`` − 1 and the open group ``OPEN_AGE``+. Single ages
above 90 hold a handful of persons even in large municipalities, so they are pooled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nokkeltall import queries

OPEN_AGE = 90
N_AGES = OPEN_AGE + 1


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

    def totals(self) -> np.ndarray:
        """[municipality, year] total population (NaN where missing)."""
        return self.values.sum(axis=2)


def from_frames(population: pd.DataFrame, municipalities: pd.DataFrame) -> PopulationData:
    """Arrays from long rows (municipality_number or _code, year, age, persons) and the municipality list
    (municipality_code, name, county_code). Rows of the same municipality, year and age are added up,
    and ages above ``OPEN_AGE`` go to the open group."""
    munis = municipalities.sort_values("municipality_code")
    codes = tuple(munis["municipality_code"])
    years = tuple(range(int(population["year"].min()), int(population["year"].max()) + 1))
    frame = population.assign(age=population["age"].clip(upper=OPEN_AGE))  # rows of one age add up
    values = np.full((len(codes), len(years), N_AGES), np.nan)
    position = {int(code): i for i, code in enumerate(codes)}
    numbers = frame["municipality_number"] if "municipality_number" in frame else frame["municipality_code"]
    numbers = numbers.astype(int)
    rows = frame[numbers.isin(position)]
    m = numbers[rows.index].map(position).to_numpy()
    y = rows["year"].to_numpy() - years[0]
    a = rows["age"].to_numpy()
    filled = np.zeros(values.shape[:2], dtype=bool)
    filled[m, y] = True
    values[filled] = 0.0
    np.add.at(values, (m, y, a), rows["persons"].to_numpy(dtype=float))
    return PopulationData(codes, tuple(munis["name"]), tuple(munis["county_code"]), years, values)


def from_connection(con) -> PopulationData:
    return from_frames(queries.population_single_age_rows(con, OPEN_AGE), queries.municipalities(con))
