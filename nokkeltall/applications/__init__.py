"""Applications to the learning network: spreadsheet import/export, computed checks, talking points,
the county matrix. Free of Streamlit; user data goes through ``nokkeltall.store``."""
