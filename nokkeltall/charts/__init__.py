"""Plotly figures for the app and the documents, each with a sentence that says what it shows:
``style`` (common look and colours), ``population``, ``indicator``, ``commuting`` and ``maps``."""
