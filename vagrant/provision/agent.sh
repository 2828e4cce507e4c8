#!/usr/bin/env bash
# Sets up the agent VM: the Mesos agent as a systemd service that starts at
# boot, restarts when it dies and logs to the journal:
#
#   journalctl -u mesos-agent -f
#
# It runs Docker tasks through the local engine (--containerizers=docker,mesos)
# and works on cgroup v2, which Ubuntu 24.04 uses: Mesos 1.11's cgroups
# launcher and isolators need cgroup v1, so it uses the posix ones, and no
# systemd integration (which looks for the v1 systemd hierarchy).
#
# Run by `vagrant provision` as root after install-docker.sh and
# install-mesos.sh, with the environment the Vagrantfile sets. Idempotent: a
# second run rewrites nothing and restarts nothing.
set -euo pipefail

readonly PROG="agent"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${MESOSNB_PROVISION_LIB:-/tmp/mesosnb-provision-lib.sh}"

: "${MESOSNB_AGENT_IP:?set by the Vagrantfile}" "${MESOSNB_AGENT_PORT:?set by the Vagrantfile}"
: "${MESOSNB_ZK_URL:?set by the Vagrantfile}"
: "${MESOSNB_AGENT_ATTRIBUTES:?set by the Vagrantfile}" "${MESOSNB_AGENT_RESOURCES:?set by the Vagrantfile}"

readonly WORK_DIR="/var/lib/mesos/agent"
readonly AGENT_URL="http://${MESOSNB_AGENT_IP}:${MESOSNB_AGENT_PORT}"

# registered_master prints the master this agent registered with, if any.
registered_master() {
  curl -fsS "${AGENT_URL}/state" | grep -o '"master_hostname":"[^"]*"' | cut -d'"' -f4
}

# This VM runs only the agent.
mask_unit mesos-master.service
mask_unit mesos-slave.service

mkdir -p "${WORK_DIR}"

install_file /etc/mesosnb/mesos-agent.env 0644 <<EOF
# mesos-agent reads its flags from MESOS_<FLAG>; written by agent.sh.
MESOS_MASTER=${MESOSNB_ZK_URL}
MESOS_IP=${MESOSNB_AGENT_IP}
MESOS_PORT=${MESOSNB_AGENT_PORT}
# The IP, not mesos-agent: offers carry this hostname, and the notebooks
# fetch a task's page from it.
MESOS_HOSTNAME=${MESOSNB_AGENT_IP}
MESOS_WORK_DIR=${WORK_DIR}
MESOS_CONTAINERIZERS=docker,mesos
MESOS_LAUNCHER=posix
MESOS_ISOLATION=posix/cpu,posix/mem
MESOS_SYSTEMD_ENABLE_SUPPORT=false
MESOS_ATTRIBUTES="${MESOSNB_AGENT_ATTRIBUTES}"
MESOS_RESOURCES="${MESOSNB_AGENT_RESOURCES}"
# Tasks run as root or as their image's user, whatever user the framework
# names (in 2016 a user missing on the agent made every launch TASK_FAILED).
MESOS_SWITCH_USER=false
# The first launch of an image includes its docker pull.
MESOS_EXECUTOR_REGISTRATION_TIMEOUT=5mins
EOF

install_file /etc/systemd/system/mesos-agent.service 0644 <<EOF
[Unit]
Description=Apache Mesos agent
After=network-online.target docker.service
Wants=network-online.target
Requires=docker.service

[Service]
EnvironmentFile=/etc/mesosnb/mesos-agent.env
ExecStart=$(command -v mesos-agent)
# Stop only the agent: its executors and tasks keep running, and the agent
# recovers them when it comes back.
KillMode=process
Restart=always
RestartSec=5
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
EOF

if ((changed)); then
  systemctl daemon-reload
  # An agent whose attributes or resources changed refuses to recover its
  # old identity; forget it so that it registers as a new agent.
  if systemctl is-active --quiet mesos-agent.service; then
    systemctl stop mesos-agent.service
  fi
  rm -f "${WORK_DIR}/meta/slaves/latest"
fi
systemctl enable --now mesos-agent.service

deadline=$((SECONDS + 120))
until master="$(registered_master 2>/dev/null)" && [[ -n "${master}" ]]; do
  if ((SECONDS >= deadline)); then
    echo "agent: the agent at ${AGENT_URL} has not registered with a master after 120s." >&2
    echo "agent: is the master VM up (vagrant up master)? Logs: journalctl -u mesos-agent" >&2
    exit 1
  fi
  sleep 2
done
echo "agent: Mesos agent at ${AGENT_URL} registered with the master at ${master}"
