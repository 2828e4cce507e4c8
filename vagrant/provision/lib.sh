# shellcheck shell=bash
# Helpers the provisioning scripts share. The Vagrantfile uploads this file
# to the VM before the scripts run; each script sets PROG (its name, for
# its output) and sources it.

# changed is read by the scripts that source this file.
# shellcheck disable=SC2034
changed=0

# install_file PATH MODE < CONTENT writes PATH only when its content differs,
# so a second provision leaves the file (and its timestamp) alone, and
# notes in $changed that something did change.
install_file() {
  local path="$1" mode="$2" tmp
  tmp="$(mktemp)"
  cat >"${tmp}"
  if [[ -f "${path}" ]] && cmp -s "${tmp}" "${path}"; then
    rm -f "${tmp}"
    return 0
  fi
  install -D -m "${mode}" "${tmp}" "${path}"
  rm -f "${tmp}"
  echo "${PROG}: wrote ${path}"
  # shellcheck disable=SC2034
  changed=1
}

# installed_version PACKAGE prints the installed version, or nothing.
installed_version() {
  # shellcheck disable=SC2016 # ${Version} is dpkg-query's field, not a shell variable.
  dpkg-query --show --showformat='${Version}' "$1" 2>/dev/null || true
}

# require_noble stops unless this is Ubuntu 24.04, which the pinned
# packages are built for.
require_noble() {
  # shellcheck source=/dev/null
  . /etc/os-release
  if [[ "${VERSION_CODENAME}" != noble ]]; then
    echo "${PROG}: the pinned packages are for Ubuntu 24.04 (noble), this is ${PRETTY_NAME}" >&2
    exit 1
  fi
}

# mask_unit keeps a unit the Mesos package may ship from ever running here.
mask_unit() {
  local unit="$1"
  if [[ "$(systemctl is-enabled "${unit}" 2>/dev/null || true)" == masked ]]; then
    return 0
  fi
  systemctl mask "${unit}"
  if systemctl is-active --quiet "${unit}"; then
    systemctl stop "${unit}"
  fi
}
