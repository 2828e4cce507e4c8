#!/usr/bin/env bash
# Installs Docker Engine at a pinned version from Docker's apt repository, on
# both VMs: the master runs ZooKeeper in a container, and the agent's Docker
# containerizer drives the engine to run tasks.
#
# Run by `vagrant provision` as root. Idempotent: once the pinned versions are
# installed and the engine runs, a second run changes nothing.
set -euo pipefail

readonly PROG="install-docker"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${MESOSNB_PROVISION_LIB:-/tmp/mesosnb-provision-lib.sh}"

# Docker 28, not 29: Mesos 1.11 shells out to the docker CLI and parses
# `docker inspect`, falling back to fields that newer engines dropped. Docker's
# repository keeps every old version, so this pin stays installable.
readonly DOCKER_VERSION="5:28.5.1-1~ubuntu.24.04~noble"
readonly CONTAINERD_VERSION="1.7.29-1~ubuntu.24.04~noble"
readonly KEY_URL="https://download.docker.com/linux/ubuntu/gpg"
readonly KEYRING="/etc/apt/keyrings/docker.asc"
readonly SOURCES="/etc/apt/sources.list.d/docker.list"

require_noble

if [[ "$(installed_version docker-ce)" == "${DOCKER_VERSION}" &&
      "$(installed_version docker-ce-cli)" == "${DOCKER_VERSION}" &&
      "$(installed_version containerd.io)" == "${CONTAINERD_VERSION}" ]]; then
  echo "install-docker: Docker ${DOCKER_VERSION} already installed"
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends ca-certificates curl
  curl -fsSL "${KEY_URL}" | install_file "${KEYRING}" 0644
  echo "deb [arch=$(dpkg --print-architecture) signed-by=${KEYRING}] https://download.docker.com/linux/ubuntu noble stable" |
    install_file "${SOURCES}" 0644
  apt-get update -q
  apt-get install -y -q --no-install-recommends --allow-downgrades --allow-change-held-packages \
    "docker-ce=${DOCKER_VERSION}" "docker-ce-cli=${DOCKER_VERSION}" "containerd.io=${CONTAINERD_VERSION}"
  # Unattended upgrades must not move the engine from under Mesos.
  apt-mark hold docker-ce docker-ce-cli containerd.io
fi

systemctl enable --now docker.service

# The box's login user may run docker without sudo.
if id vagrant >/dev/null 2>&1 && ! id -nG vagrant | grep -qw docker; then
  usermod -aG docker vagrant
fi

echo "install-docker: Docker Engine $(docker version --format '{{.Server.Version}}') is running"
