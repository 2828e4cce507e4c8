#!/usr/bin/env bash
# Real Mesos 1.11.0 for the tests (pkg/mesostest), from the build beside the
# repository in ../shared/mesos: its tarball is checked against the sha256 in
# its README, unpacked into the user cache folder (where pkg/mesostest looks
# when MESOS_HOME is not set and mesos-master is not on PATH), the Debian
# packages its README lists are installed when a library is missing, and so
# is debootstrap, which makes the base of the compose cluster's Mesos image.
#
# Usage: .ci/mesos.sh [shared-folder]            (default: ../shared/mesos)
#        .ci/mesos.sh packages [shared-folder]   prints the README's package list
# Without the tarball it says so and succeeds: the tests that need Mesos then
# skip, or fail under CI.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
print_packages=0
if [ "${1:-}" = packages ]; then
  print_packages=1
  shift
fi
shared="${1:-${repo}/../shared/mesos}"

# runtime_packages prints the README's list: the words after its "Run-time
# packages" heading that name libraries.
runtime_packages() {
  sed -n '/^## Run-time packages/,/^The agent/p' "${shared}/README.md" | tr -s ' ' '\n' | grep -E '^(lib|zlib)' | tr '\n' ' '
}
if ((print_packages)); then
  [ -f "${shared}/README.md" ] || { echo "mesos: no ${shared}/README.md" >&2; exit 1; }
  runtime_packages
  echo
  exit 0
fi
home="${XDG_CACHE_HOME:-${HOME}/.cache}/mesosnb/mesos-1.11.0"
tarball="${shared}/mesos-1.11.0-bookworm-amd64.tar.xz"

if [ -n "${MESOS_HOME:-}" ]; then
  echo "mesos: using MESOS_HOME=${MESOS_HOME}"
  exit 0
fi
if command -v mesos-master >/dev/null; then
  echo "mesos: using $(command -v mesos-master)"
  exit 0
fi

missing_libs() { ldd "${home}/lib/libmesos-1.11.0.so" "${home}/sbin/mesos-master" "${home}/sbin/mesos-agent" | grep -c 'not found' || true; }

if [ ! -x "${home}/sbin/mesos-master" ]; then
  if [ ! -f "${tarball}" ]; then
    echo "mesos: no ${tarball}: tests that need real Mesos skip (fail under CI)."
    echo "mesos: to get it, run: make mesos MESOS_SHARED=/path/to/shared/mesos, or set MESOS_HOME to a Mesos 1.11 install"
    exit 0
  fi
  want="$(sed -n 's/^sha256 \([0-9a-f]\{64\}\)$/\1/p' "${shared}/README.md")"
  got="$(sha256sum "${tarball}" | cut -d' ' -f1)"
  if [ -z "${want}" ] || [ "${want}" != "${got}" ]; then
    echo "mesos: ${tarball} has sha256 ${got}, its README says '${want}': not unpacked" >&2
    exit 1
  fi
  # Unpacked beside its final place and moved there in one step, so an
  # interrupted run leaves no half-written install.
  mkdir -p "$(dirname "${home}")"
  tmp="$(mktemp -d "$(dirname "${home}")/.unpack.XXXXXX")"
  trap 'rm -rf "${tmp}"' EXIT
  tar -xJf "${tarball}" -C "${tmp}"
  rm -rf "${home}"
  mv "${tmp}/mesos-1.11.0" "${home}"
  echo "mesos: unpacked Mesos 1.11.0 into ${home}"
fi

if [ "$(missing_libs)" != 0 ]; then
  readme="${shared}/README.md"
  if [ ! -f "${readme}" ]; then
    echo "mesos: ${home} misses libraries and there is no ${readme} to say which packages bring them" >&2
    exit 1
  fi
  read -r -a pkgs <<<"$(runtime_packages)"
  s=""
  if [ "$(id -u)" != 0 ]; then s="sudo"; fi
  if ! command -v apt-get >/dev/null; then
    echo "mesos: ${home} misses libraries; install: ${pkgs[*]}" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive $s apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1 ||
    { $s apt-get update -qq && DEBIAN_FRONTEND=noninteractive $s apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; }
  echo "mesos: installed its run-time packages (${pkgs[*]})"
fi
"${home}/sbin/mesos-master" --version >/dev/null
echo "mesos: Mesos 1.11.0 ready in ${home}"

# docker/mesos/build.sh makes the compose cluster's Mesos image from a
# debootstrap base (test/notebooks builds it when it is missing).
if command -v docker >/dev/null && ! command -v debootstrap >/dev/null && command -v apt-get >/dev/null; then
  s=""
  if [ "$(id -u)" != 0 ]; then s="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $s apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  echo "mesos: installed debootstrap (for docker/mesos/build.sh)"
fi
