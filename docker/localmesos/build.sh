#!/usr/bin/env bash
# Builds the localmesos binary (./cmd/localmesos) on this machine, then the
# image FROM scratch around it. No registry is needed.
#
# Usage: docker/localmesos/build.sh [image-tag]   (default mesosnb/localmesos:dev)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/../.." && pwd)"
tag="${1:-mesosnb/localmesos:dev}"

# CGO off: the image has no libc for a dynamically linked binary to load.
(cd "${repo}" && CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags='-s -w' \
  -o "${here}/localmesos" ./cmd/localmesos)
docker build --tag "${tag}" "${here}"
echo "built ${tag}"
