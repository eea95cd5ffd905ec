"""nøkkeltall: official key figures (SSB) for Norway's smallest municipalities.

Data flows one way: source files / SSB API → ``sources`` (tidy frames) → ``snapshot``
(parquet + manifest) → ``db`` (DuckDB, harmonised to today's municipalities) → ``queries``
→ ``charts`` → pages. Nothing in this package imports Streamlit except ``nokkeltall.ui``.
"""

__version__ = "0.1.0"
