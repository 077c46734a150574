#!/usr/bin/env bash
# Create .venv-rasa: Rasa Open Source 3.6.21 on Python 3.10 (Rasa 3.6 does not run on 3.11).
# Idempotent: a stamp in .make/ records a finished install; a second run does nothing.
#   usage: scripts/setup_rasa.sh            (from anywhere; works on the repository root)
#   env:   RASA_PYTHON=/path/to/python3.10   to choose the interpreter
#          RASA_VENV=.venv-rasa              to choose the venv folder
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${RASA_VENV:-.venv-rasa}"
STAMPS=".make"
RASA_VERSION="3.6.21"
STAMP="$STAMPS/rasa-$RASA_VERSION"

if [ -f "$STAMP" ] && [ -x "$VENV/bin/rasa" ]; then
  echo "Rasa $RASA_VERSION present in $VENV."
  touch "$STAMP"  # newer than this script, so make does not ask again
  exit 0
fi

find_python310() {
  if [ -n "${RASA_PYTHON:-}" ]; then echo "$RASA_PYTHON"; return 0; fi
  if command -v pyenv >/dev/null 2>&1; then
    local cand
    for cand in $(ls -d "$(pyenv root)"/versions/3.10.*/bin/python 2>/dev/null | sort -V -r); do
      if [ -x "$cand" ]; then echo "$cand"; return 0; fi
    done
  fi
  if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    command -v python3.10; return 0
  fi
  return 1
}

PY="$(find_python310)" || {
  echo "Python 3.10 not found (Rasa 3.6 needs Python 3.8-3.10). Fix: 'pyenv install 3.10' (or set RASA_PYTHON=/path/to/python3.10) and re-run 'make rasa'." >&2
  exit 1
}
"$PY" -c 'import sys; assert (3, 8) <= sys.version_info[:2] <= (3, 10), sys.version' || {
  echo "$PY is not Python 3.8-3.10; set RASA_PYTHON to a Python 3.10 interpreter ('pyenv install 3.10')." >&2
  exit 1
}

echo "Installing Rasa $RASA_VERSION into $VENV with $PY (tensorflow: a few minutes) ..."
start=$(date +%s)
test -x "$VENV/bin/python" || "$PY" -m venv "$VENV"

# Pins that let pip resolve Rasa 3.6.21 without long backtracking (tensorflow 2.12 pulls jax, boto3
# pulls ever-new botocore, etc.). Exact versions known to work together on Python 3.10 / Linux x86-64.
CONSTRAINTS="$(mktemp)"
trap 'rm -f "$CONSTRAINTS"' EXIT
cat >"$CONSTRAINTS" <<'EOF'
rasa==3.6.21
rasa-sdk==3.6.2
tensorflow==2.12.0
tensorflow-text==2.12.0
tensorflow-hub==0.13.0
tensorflow-io-gcs-filesystem==0.32.0
tensorflow-estimator==2.12.0
tensorboard==2.12.3
keras==2.12.0
jax==0.4.13
ml-dtypes==0.2.0
numpy==1.23.5
scipy==1.10.1
scikit-learn==1.1.3
protobuf==4.23.3
pydantic==1.10.9
SQLAlchemy==1.4.52
boto3==1.28.85
botocore==1.31.85
s3transfer==0.7.0
aiohttp==3.9.5
sanic==21.12.2
sanic-routing==0.7.2
sanic-cors==2.0.1
matplotlib==3.5.3
networkx==2.6.3
attrs==22.1.0
packaging==20.9
jsonschema==4.17.3
dask==2022.10.2
setuptools==70.3.0
redis==4.6.0
websockets==10.4
typing-extensions==4.5.0
pymongo==4.3.3
prompt-toolkit==3.0.28
regex==2022.10.31
ruamel.yaml==0.17.21
structlog==23.3.0
sentry-sdk==1.14.0
EOF

# (find-links/extra-index folders of a local pip.conf that lack a package are reported once per package: hidden)
quiet_pip() { "$VENV/bin/python" -m pip "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
quiet_pip install -q --upgrade "pip==24.0" "wheel==0.43.0"
quiet_pip install -q -c "$CONSTRAINTS" "rasa==$RASA_VERSION"
RASA_TELEMETRY_ENABLED=false "$VENV/bin/python" -c "import rasa, tensorflow" 2>/dev/null || {
  echo "Rasa was installed but does not import; remove $VENV and re-run 'make rasa'." >&2; exit 1; }

mkdir -p "$STAMPS"
touch "$STAMP"
echo "Rasa $RASA_VERSION installed in $VENV in $(( $(date +%s) - start )) s."
