# Sourced by the scripts: finds Python 3.13+ and keeps .venv in step with the requirements.
VENV="${HEMS_VENV:-$PWD/.venv}"
REQ="${HEMS_REQUIREMENTS:-requirements_test.txt}"

hems_python() {
  if [ -n "${HEMS_PYTHON:-}" ]; then echo "$HEMS_PYTHON"; return; fi
  local candidate
  for candidate in python3.14 python3.13; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 13))' 2>/dev/null; then
      command -v "$candidate"; return
    fi
  done
  if command -v pyenv >/dev/null 2>&1 || [ -x "$HOME/.pyenv/bin/pyenv" ]; then
    local pyenv_bin root v
    pyenv_bin=$(command -v pyenv || echo "$HOME/.pyenv/bin/pyenv")
    root=$("$pyenv_bin" root)
    for v in $(ls -1 "$root/versions" 2>/dev/null | grep -E '^3\.1[3-9]\.[0-9]+$' | sort -V -r); do
      if [ -x "$root/versions/$v/bin/python3" ]; then echo "$root/versions/$v/bin/python3"; return; fi
    done
  fi
  if command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; sys.exit(sys.version_info < (3, 13))'; then
    command -v python3; return
  fi
  echo "no Python 3.13 or newer found (set HEMS_PYTHON)" >&2
  return 1
}

hems_ensure_venv() {
  local stamp want
  want=$(cat "$REQ" requirements_test.txt requirements_common.txt | sha256sum | cut -c1-16)
  stamp="$VENV/.hems-$(basename "$REQ" .txt)"
  if [ ! -x "$VENV/bin/python" ]; then
    local py
    py=$(hems_python)
    echo "== creating $VENV with $py ($("$py" --version))"
    "$py" -m venv "$VENV"
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "== installing $REQ"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "is ignored" || true
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --ignore-requires-python -r "$REQ" 2>&1 \
      | grep -v -e "is ignored: it is neither" || true
    local check='import pytest_homeassistant_custom_component, xdist, hypothesis, uecho, momonga, hass_frontend, selenium'
    "$VENV/bin/python" -c "$check" || { echo "installing $REQ failed" >&2; return 1; }
    echo "$want" > "$stamp"
  fi
}

# Run a command in a network namespace of its own (loopback up), so that the tests' UDP
# sockets (127.0.0.1:3610 and the simulated houses on 127.0.x.y) never meet a running demo or
# a second test run.  Root (as in CI) or unprivileged user namespaces make this possible;
# elsewhere the command runs in the machine's namespace, with a warning.
# hems_can_isolate says whether it can; then each pytest-xdist worker can also make a namespace
# of its own (tests/isolation.py).
hems_can_isolate() {
  if [ -n "${HEMS_NO_NETNS:-}" ]; then return 1; fi
  local flags=()
  if [ "$(id -u)" -ne 0 ]; then flags=(--map-root-user); fi
  unshare --net "${flags[@]}" true 2>/dev/null
}

hems_isolated() {
  if [ -n "${HEMS_NO_NETNS:-}" ]; then
    "$@"
    return
  fi
  local flags=()
  if [ "$(id -u)" -ne 0 ]; then flags=(--map-root-user); fi
  if hems_can_isolate; then
    unshare --net "${flags[@]}" -- bash -c 'ip link set lo up && exec "$@"' hems-isolated "$@"
  else
    echo "warning: no network namespace available; tests share this machine's loopback" >&2
    "$@"
  fi
}

# How many pytest-xdist workers run the whole suite: HEMS_TEST_WORKERS, else one more than the
# cores (the tests wait on sockets and timers part of the time; at most 4), and 0 (no workers)
# where the workers cannot each have a network namespace.  On 2 cores with nothing else running:
# 3 workers, 4 min 47 s to 7 min 19 s in runs of this day (one process: 11 min 21 s).
hems_workers() {
  if [ -n "${HEMS_TEST_WORKERS:-}" ]; then echo "$HEMS_TEST_WORKERS"; return; fi
  if ! hems_can_isolate; then echo 0; return; fi
  local workers
  workers=$(( $(nproc 2>/dev/null || echo 1) + 1 ))
  if [ "$workers" -gt 4 ]; then workers=4; fi
  echo "$workers"
}

# The project's shared tools and data (../shared beside the main checkout). From a git
# worktree elsewhere they sit beside the repository that holds the worktree's .git.
# HEMS_SHARED overrides. Prints the folder; fails when none is found.
hems_shared() {
  if [ -n "${HEMS_SHARED:-}" ]; then echo "$HEMS_SHARED"; return; fi
  local common candidate
  common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
  for candidate in "$PWD/../shared" "${common:+$(dirname "$common")/../shared}"; do
    if [ -n "$candidate" ] && [ -d "$candidate/tools" ]; then
      (cd "$candidate" && pwd)
      return
    fi
  done
  return 1
}
