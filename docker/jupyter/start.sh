#!/usr/bin/env bash
# Entry point of the mesosnb/jupyter image: starts Jupyter on the GoNB kernel
# and prints the URL to open, token included.
set -euo pipefail

port="${JUPYTER_PORT:-8888}"
ip="${JUPYTER_IP:-127.0.0.1}"
cluster="${MESOS_MASTER:-unset, so the notebooks use their default (localmesos)}"
if [[ -z "${JUPYTER_TOKEN:-}" ]]; then
  JUPYTER_TOKEN="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
fi
export JUPYTER_TOKEN

cat <<BANNER

  Jupyter with the Go (GoNB) kernel and the mesosnb notebooks.
  Cluster:  MESOS_MASTER=${cluster}
  Open:     http://127.0.0.1:${port}/tree/notebooks?token=${JUPYTER_TOKEN}

BANNER

# The notebooks find the repository's module at their parent folder.
cd "${HOME}/mesosnb"
exec jupyter notebook --no-browser --ip="${ip}" --port="${port}" --port-retries=0
