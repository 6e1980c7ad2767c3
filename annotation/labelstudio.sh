#!/usr/bin/env bash
# Manage the local Label Studio used by `curate annotate`:
#   bash annotation/labelstudio.sh start|stop|status|install
# Installs label-studio (pinned) into .cache/labelstudio/venv on first start, runs it on
# 127.0.0.1:${LABEL_STUDIO_PORT:-8080} with its data in .cache/labelstudio/data, creates the admin
# ${LABEL_STUDIO_USERNAME:-admin@finllm.local} / ${LABEL_STUDIO_PASSWORD:-finllm-dev-only} (development
# defaults: set your own), disables sign-up without an invitation link, obtains a Personal Access
# Token and writes .cache/labelstudio/env for `curate annotate`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-}"
if [[ -z "$PY" ]]; then
  if [[ -x .venv/bin/python ]]; then PY=.venv/bin/python; else PY=python3; fi
fi
exec "$PY" -m annotation.server "$@"
