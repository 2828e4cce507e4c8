#!/usr/bin/env bash
# Sets up the master VM: ZooKeeper in a container from the official zookeeper
# image, and the Mesos master. Both are systemd services: they start at boot,
# restart when they die, and log to the journal:
#
#   journalctl -u zookeeper -u mesos-master -f
#
# Run by `vagrant provision` as root after install-docker.sh and
# install-mesos.sh, with the environment the Vagrantfile sets. Idempotent: a
# second run rewrites nothing and restarts nothing.
set -euo pipefail

readonly PROG="master"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${MESOSNB_PROVISION_LIB:-/tmp/mesosnb-provision-lib.sh}"

: "${MESOSNB_MASTER_IP:?set by the Vagrantfile}" "${MESOSNB_MASTER_PORT:?set by the Vagrantfile}"
: "${MESOSNB_ZK_PORT:?set by the Vagrantfile}" "${MESOSNB_ZK_URL:?set by the Vagrantfile}"

readonly ZK_IMAGE="zookeeper:3.9.6"
readonly WORK_DIR="/var/lib/mesos/master"
readonly ZK_DATA="/var/lib/zookeeper"
readonly MASTER_URL="http://${MESOSNB_MASTER_IP}:${MESOSNB_MASTER_PORT}"

# wait_for WHAT SECONDS COMMAND... polls COMMAND until it succeeds.
wait_for() {
  local what="$1" seconds="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "master: ${what} not ready after ${seconds}s; see: journalctl -u zookeeper -u mesos-master" >&2
      exit 1
    fi
    sleep 2
  done
}

zookeeper_ok() {
  local reply
  exec 3<>"/dev/tcp/127.0.0.1/${MESOSNB_ZK_PORT}"
  printf ruok >&3
  read -r -t 5 reply <&3 || true
  exec 3<&-
  [[ "${reply}" == imok ]]
}

# A leading master answers /redirect with 307; 503 means no leader yet.
master_leads() {
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "${MASTER_URL}/redirect")" == 307 ]]
}

# This VM runs only the master.
mask_unit mesos-agent.service
mask_unit mesos-slave.service

mkdir -p "${WORK_DIR}" "${ZK_DATA}/data" "${ZK_DATA}/datalog"

if ! docker image inspect "${ZK_IMAGE}" >/dev/null 2>&1; then
  docker pull "${ZK_IMAGE}"
fi

install_file /etc/mesosnb/zookeeper.env 0644 <<EOF
# Read by docker run in zookeeper.service; written by master.sh.
# Standalone server, clients on port ${MESOSNB_ZK_PORT} on every interface.
ZOO_SERVERS=server.1=localhost:2888:3888;${MESOSNB_ZK_PORT}
# The AdminServer would take port 8080.
ZOO_ADMINSERVER_ENABLED=false
ZOO_4LW_COMMANDS_WHITELIST=ruok,srvr,stat,mntr
EOF

install_file /etc/systemd/system/zookeeper.service 0644 <<EOF
[Unit]
Description=ZooKeeper for Mesos (container from the official ${ZK_IMAGE} image)
After=docker.service
Requires=docker.service

[Service]
# A container left by a crash would hold the name.
ExecStartPre=-/usr/bin/docker rm --force zookeeper
ExecStart=/usr/bin/docker run --rm --name zookeeper --network host \\
  --env-file /etc/mesosnb/zookeeper.env \\
  --volume ${ZK_DATA}/data:/data --volume ${ZK_DATA}/datalog:/datalog \\
  ${ZK_IMAGE}
ExecStop=/usr/bin/docker stop zookeeper
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
EOF

install_file /etc/mesosnb/mesos-master.env 0644 <<EOF
# mesos-master reads its flags from MESOS_<FLAG>; written by master.sh.
MESOS_IP=${MESOSNB_MASTER_IP}
MESOS_PORT=${MESOSNB_MASTER_PORT}
# The IP, not mesos-master: redirects and offers name this host, and the
# laptop running the notebooks cannot resolve the VM's name.
MESOS_HOSTNAME=${MESOSNB_MASTER_IP}
MESOS_ZK=${MESOSNB_ZK_URL}
MESOS_QUORUM=1
MESOS_WORK_DIR=${WORK_DIR}
EOF

install_file /etc/systemd/system/mesos-master.service 0644 <<EOF
[Unit]
Description=Apache Mesos master
After=network-online.target zookeeper.service
Wants=network-online.target zookeeper.service

[Service]
EnvironmentFile=/etc/mesosnb/mesos-master.env
ExecStart=$(command -v mesos-master)
# A master that loses its ZooKeeper session exits on purpose; start it again.
Restart=always
RestartSec=5
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
EOF

if ((changed)); then
  systemctl daemon-reload
fi
systemctl enable --now zookeeper.service
if ((changed)); then
  systemctl restart zookeeper.service
fi
wait_for "ZooKeeper" 120 zookeeper_ok

systemctl enable --now mesos-master.service
if ((changed)); then
  systemctl restart mesos-master.service
fi
wait_for "the Mesos master" 120 master_leads

version="$(curl -fsS "${MASTER_URL}/version" | grep -o '"version":"[^"]*"' | cut -d'"' -f4)"
echo "master: Mesos ${version} master leads at ${MASTER_URL}, registered in ${MESOSNB_ZK_URL}"
