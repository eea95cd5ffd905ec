"""Comparing municipalities: choices from the URL (``choices``), series, ranks and indexes (``series``),
similar municipalities (``similarity``), figures (``figures``), slide decks (``slides``) and downloads
(``export``)."""
