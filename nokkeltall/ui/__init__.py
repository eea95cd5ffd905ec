"""The only Streamlit code outside ``app.py`` and ``pages/``: the cached database connection,
cached query wrappers and shared widgets. Everything else lives in the plain package."""
