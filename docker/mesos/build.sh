#!/usr/bin/env bash
# Builds mesosnb/mesos:local, an image of Apache Mesos 1.11.0 and ZooKeeper
# made on this machine with no registry, for compose.yaml's zookeeper,
# master and agent services:
#
#   MESOSNB_ZOOKEEPER_IMAGE=mesosnb/mesos:local MESOSNB_MESOS_IMAGE=mesosnb/mesos:local \
#     docker-compose -p mesosnb -f docker/compose.yaml up zookeeper master agent
#
# It holds Debian bookworm from debootstrap with the packages the Mesos
# build in ../shared/mesos needs (its README lists them), curl for the
# master's health check, Debian's ZooKeeper, that Mesos build (unpacked
# by make mesos), and this machine's docker command (static), which the
# agent's Docker containerizer runs. About 80 s here; 780 MB.
#
# Usage (as root): docker/mesos/build.sh [mesos-install [tag]]
#   mesos-install: the unpacked build (default: $MESOS_HOME, else where
#   make mesos puts it); MESOS_SHARED names the folder with its README
#   (default: ../shared/mesos beside the repository).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/../.." && pwd)"
install="${1:-${MESOS_HOME:-${XDG_CACHE_HOME:-${HOME}/.cache}/mesosnb/mesos-1.11.0}}"
tag="${2:-mesosnb/mesos:local}"

if [ ! -x "${install}/sbin/mesos-master" ] || [ ! -d "${install}/libexec/mesos" ]; then
  echo "mesos image: ${install} is not an unpacked Mesos build (run: make mesos)" >&2
  exit 1
fi
docker="$(command -v docker)"
if ldd "${docker}" >/dev/null 2>&1; then
  echo "mesos image: ${docker} is linked dynamically; the image needs a static docker command" >&2
  exit 1
fi
list="$("${repo}/.ci/mesos.sh" packages "${MESOS_SHARED:-${repo}/../shared/mesos}")"
read -r -a libs <<<"${list}"
packages="$(IFS=,; echo "${libs[*]},curl,ca-certificates,zookeeper")"

rootfs="$(mktemp -d)"
trap 'rm -rf "${rootfs}"' EXIT
debootstrap --variant=minbase --include="${packages}" bookworm "${rootfs}" http://deb.debian.org/debian >/dev/null
rm -rf "${rootfs}/var/cache/apt/archives/"*.deb "${rootfs}/var/lib/apt/lists/"*
mkdir -p "${rootfs}/opt" "${rootfs}/usr/local/bin" "${rootfs}/data" "${rootfs}/datalog" "${rootfs}/conf"
cp -a "${install}" "${rootfs}/opt/mesos-1.11.0"
# The build's compiled-in --launcher_dir and --webui_dir are under
# /tmp/mesos-install, where it was installed: point there.
ln -s /opt/mesos-1.11.0 "${rootfs}/tmp/mesos-install"
cp "${docker}" "${rootfs}/usr/local/bin/docker"
install -m 0755 "${here}/zookeeper-server" "${rootfs}/usr/local/bin/zookeeper-server"
tar -C "${rootfs}" -c . | docker import \
  -c 'ENV PATH=/opt/mesos-1.11.0/sbin:/opt/mesos-1.11.0/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENTRYPOINT ["/usr/local/bin/zookeeper-server"]' \
  - "${tag}" >/dev/null
echo "built ${tag}"
