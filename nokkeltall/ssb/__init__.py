"""Live refresh from SSB's PxWebApi 2.0.

``tables``    what to fetch per SSB table and how its response becomes a ``Dataset``
``client``    the HTTP client: query splitting, rate limit, retries, validation, raw cache
``normalise`` JSON-stat 2.0 → ``Dataset`` (shared with the import of JSON-stat files)
``refresh``   fetch → normalise → one atomic snapshot write
"""
