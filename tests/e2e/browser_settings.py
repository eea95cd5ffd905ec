"""How the browser tests and the benchmark (bench/run.py) start Chromium: Debian's build (no download)
with the same switches, so the benchmark measures the browser the tests check."""

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
