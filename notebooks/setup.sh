#!/usr/bin/env bash
# Wires this repository's Go module into a GoNB kernel's scratch module, so
# that notebook cells can import github.com/mesosnb/mesosnb/pkg/... with no
# manual step. The first cell of each notebook runs it in GoNB's scratch
# folder ($GONB_TMP_DIR, through "!*"). It prints one line; the details go
# to a log, so the cell does not fill with "go: added ..." lines.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
module=github.com/mesosnb/mesosnb
log="$PWD/setup.log"
{
  name=$(go list -m)
  # The repository's requirements and checksums: the kernel's automatic
  # "go get" then has nothing to add or download.
  cp "$root/go.mod" go.mod
  cp "$root/go.sum" go.sum
  go mod edit -module "$name" -replace "$module=$root" -require "$module@v0.0.0-00010101000000-000000000000"
} >"$log" 2>&1 || { echo "setup failed; see $log" >&2; tail -n 20 "$log" >&2; exit 1; }
echo "mesosnb module wired in: cells can import $module/pkg/..."
