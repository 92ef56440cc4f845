#!/usr/bin/env bash
# The project's two commands, and the setup they share.
#   bash dev.sh demo   set up, then run journeylab on the example study -> demo-output/
#   bash dev.sh test   set up, then ruff, mypy and every test
#   bash dev.sh explore  the demo study in the theme explorer on http://127.0.0.1:8765
# Works on a fresh Debian machine with Python 3.11: it makes its own virtualenv
# in .venv and installs what it needs (apt-get for venv support and Chromium).
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
BIN=$VENV/bin
PY=${PYTHON:-$(command -v python3.11 || command -v python3)}

apt_install() {
    if command -v apt-get >/dev/null; then
        echo "dev.sh: installing $* with apt-get" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        echo "dev.sh: please install $* (no apt-get on this machine)" >&2
        exit 1
    fi
}

system_libraries() {
    # cairosvg draws the journey maps into Word reports; it needs the cairo
    # library and a font. Debian images without them get them once, here.
    local missing=()
    ldconfig -p 2>/dev/null | grep -q 'libcairo\.so\.2' || missing+=(libcairo2)
    # The maps in Word reports are drawn in Liberation Sans (metric-compatible with Arial).
    ls /usr/share/fonts/truetype/liberation*/LiberationSans-Regular.ttf >/dev/null 2>&1 \
        || missing+=(fonts-liberation)
    if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

setup() {
    system_libraries
    if [ ! -x "$BIN/python" ]; then
        "$PY" -m venv "$VENV" 2>/dev/null || { rm -rf "$VENV"; apt_install python3-venv; "$PY" -m venv "$VENV"; }
    fi
    # Reinstall when pyproject.toml changed. The editable install maps the
    # repository root onto the `journeylab` package, so new modules need no relink.
    if [ ! -f "$VENV/.installed" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
        "$BIN/pip" install -q --disable-pip-version-check --upgrade pip "setuptools>=77"
        "$BIN/pip" install -q --disable-pip-version-check -e ".[dev]"
        touch "$VENV/.installed"
    fi
    # mypy cannot follow setuptools' editable finder; give it the package by its real name.
    mkdir -p .mypy_src && ln -sfn "$PWD" .mypy_src/journeylab
}

chromium() {
    # Browser tests use Debian's Chromium; Playwright's own download is never used.
    [ -x /usr/bin/chromium ] || apt_install chromium
}

case "${1:-}" in
    demo)
        setup
        "$BIN/journeylab" demo --out demo-output
        ;;
    explore)
        setup
        [ -f demo-output/studie/.journeylab/study.db ] || "$BIN/journeylab" demo --out demo-output
        "$BIN/journeylab" explore demo-output/studie --include-suggestions 0.5 "${@:2}"
        ;;
    test)
        setup
        "$BIN/ruff" check .
        "$BIN/ruff" format --check .
        MYPYPATH=.mypy_src "$BIN/mypy" -p journeylab
        chromium
        "$BIN/pytest"
        ;;
    setup)
        setup
        ;;
    *)
        echo "usage: bash dev.sh demo|test|explore|setup" >&2
        exit 2
        ;;
esac
