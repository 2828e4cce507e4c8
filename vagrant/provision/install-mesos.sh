#!/usr/bin/env bash
# Installs Apache Mesos 1.11.0 on both VMs: AVENTER's community build, the
# aventer-mesos package for Ubuntu 24.04, from their apt repository (or from a
# local .deb, MESOSNB_MESOS_DEB). vagrant/README.md says why this source and
# what to change if it disappears.
#
# It only installs. master.sh and agent.sh write the systemd units that run
# mesos-master and mesos-agent with this project's flags.
#
# Run by `vagrant provision` as root, with the environment the Vagrantfile
# sets. Idempotent: once the pinned version is installed, a second run changes
# nothing.
set -euo pipefail

readonly PROG="install-mesos"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${MESOSNB_PROVISION_LIB:-/tmp/mesosnb-provision-lib.sh}"

: "${MESOSNB_MASTER_IP:?set by the Vagrantfile}" "${MESOSNB_AGENT_IP:?set by the Vagrantfile}"
readonly LOCAL_DEB="${MESOSNB_MESOS_DEB:-}"

readonly PACKAGE="aventer-mesos"
readonly VERSION="1.11.0-0.7.1.ubuntu2404"
readonly REPO="https://rpm.aventer.biz/Ubuntu/noble noble main"
readonly KEY_URL="https://www.aventer.biz/assets/support_aventer.asc"
readonly KEYRING="/etc/apt/keyrings/aventer.asc"
readonly SOURCES="/etc/apt/sources.list.d/aventer-mesos.list"

require_noble

# Both VMs know each other by name (the addresses come from the Vagrantfile).
for line in "${MESOSNB_MASTER_IP} mesos-master" "${MESOSNB_AGENT_IP} mesos-agent"; do
  if ! grep -qxF "${line}" /etc/hosts; then
    echo "${line}" >>/etc/hosts
    echo "install-mesos: added '${line}' to /etc/hosts"
  fi
done

want="${VERSION}"
if [[ -n "${LOCAL_DEB}" ]]; then
  if [[ ! -f "${LOCAL_DEB}" ]]; then
    echo "install-mesos: MESOSNB_MESOS_DEB names ${LOCAL_DEB}, which is not there" >&2
    exit 1
  fi
  want="$(dpkg-deb --field "${LOCAL_DEB}" Version)"
fi

if [[ "$(installed_version "${PACKAGE}")" == "${want}" ]]; then
  echo "install-mesos: ${PACKAGE} ${want} already installed"
else
  export DEBIAN_FRONTEND=noninteractive
  if [[ -n "${LOCAL_DEB}" ]]; then
    apt-get update -q
    # apt, not dpkg -i as in 2016: it installs the package's dependencies too.
    apt-get install -y -q --allow-downgrades --allow-change-held-packages "${LOCAL_DEB}" libunwind8
  else
    apt-get update -q
    apt-get install -y -q --no-install-recommends ca-certificates curl
    curl -fsSL "${KEY_URL}" | install_file "${KEYRING}" 0644
    echo "deb [signed-by=${KEYRING}] ${REPO}" | install_file "${SOURCES}" 0644
    apt-get update -q
    # libunwind8: the Mesos binaries need it, and the package does not depend on it.
    apt-get install -y -q --allow-downgrades --allow-change-held-packages \
      "${PACKAGE}=${VERSION}" libunwind8
  fi
  apt-mark hold "${PACKAGE}"
fi

# Fail here, not at service start, if a shared library is missing.
for bin in mesos-master mesos-agent; do
  if ! command -v "${bin}" >/dev/null; then
    echo "install-mesos: ${bin} is not on PATH after installing ${PACKAGE}" >&2
    exit 1
  fi
  "${bin}" --help >/dev/null
done
echo "install-mesos: $(mesos-master --version) at $(command -v mesos-master)"
