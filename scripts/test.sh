#!/usr/bin/env bash
# Install what the tests need (the arena itself, editable, with its dev extra; Debian's Chromium),
# lint, then run the tests. Extra arguments go to pytest, e.g. `bash scripts/test.sh -k store`,
# or `bash scripts/test.sh -m "not browser"` for the fast suite without Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

# The active virtual environment's Python if there is one (its `python` comes first on PATH),
# else the system's python3; PYTHON=... overrides both.
if [ -n "${VIRTUAL_ENV:-}" ]; then
    DEFAULT_PYTHON=python
else
    DEFAULT_PYTHON=python3
fi
PYTHON="${PYTHON:-$DEFAULT_PYTHON}"
"$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

if [ ! -x /usr/bin/chromium ]; then
    # Playwright cannot download its own browser here; the end-to-end tests use Debian's.
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

"$PYTHON" -m ruff check .
if [ "$#" -gt 0 ]; then
    exec "$PYTHON" -m pytest "$@"
fi
# Everything: the fast tests on both cores, then the browser tests one at a time (each drives a
# Streamlit server and Chromium; two at once on two cores would slow each past its timeouts).
# Both passes run; the exit status says whether either failed.
status=0
"$PYTHON" -m pytest -m "not browser" -n 2 || status=$?
"$PYTHON" -m pytest -m browser || status=$?
exit "$status"
