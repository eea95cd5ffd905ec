"""The planning domain: the legal planning calendar, plan status and the learning network's rules.

Pure code (no Streamlit, no database). Dates are ``datetime.date``; user-facing text is Norwegian.
"""
