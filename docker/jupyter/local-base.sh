#!/usr/bin/env bash
# Builds mesosnb/go-base:local, a base image for the jupyter image made on
# this machine with no registry: Debian bookworm from debootstrap, this
# machine's Go, and its CA certificates (a network that inspects TLS has
# its own CA, which the image must trust to reach the Go module proxy).
#
# Usage (as root): docker/jupyter/local-base.sh
# Then:  docker build -f docker/jupyter/Dockerfile --build-arg GO_IMAGE=mesosnb/go-base:local \
#          --build-arg JUPYTER_FROM=debian --build-arg GOPLS_VERSION= -t mesosnb/jupyter:local .
set -euo pipefail

tag="${1:-mesosnb/go-base:local}"
goroot="$(go env GOROOT)"
rootfs="$(mktemp -d)"
trap 'rm -rf "${rootfs}"' EXIT

debootstrap --variant=minbase bookworm "${rootfs}" http://deb.debian.org/debian >/dev/null
mkdir -p "${rootfs}/usr/local" "${rootfs}/usr/local/share/ca-certificates" "${rootfs}/etc/ssl/certs"
cp -a "${goroot}" "${rootfs}/usr/local/go"
cp /etc/ssl/certs/ca-certificates.crt "${rootfs}/etc/ssl/certs/ca-certificates.crt"
cp /etc/ssl/certs/ca-certificates.crt "${rootfs}/usr/local/share/ca-certificates/host.crt"
tar -C "${rootfs}" -c . | docker import \
  -c 'ENV PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - "${tag}" >/dev/null
echo "built ${tag}"
