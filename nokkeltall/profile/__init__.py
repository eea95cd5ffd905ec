"""The municipality profile: the overview of the small municipalities and one municipality's header,
economy table and plan sources (plain data, no Streamlit)."""
