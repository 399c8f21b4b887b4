#!/usr/bin/env bash
# Start a single-node SLURM cluster (munged, slurmctld, slurmd) on this machine, as root.
#
#   .ci/slurm/start.sh [STATE_DIR]        (default /tmp/sbrtlung-slurm)
#
# Installs Debian's slurmctld, slurmd, slurm-client and munge when their binaries are missing,
# writes a munge key and STATE_DIR/slurm.conf, starts the three daemons with their PIDs in
# STATE_DIR/*.pid and waits until the node is idle. The cluster's files all stay in STATE_DIR;
# the one change outside it is the link /etc/slurm/slurm.conf -> STATE_DIR/slurm.conf, where
# every SLURM client looks by default (SLURM_CONF alone is not enough: the Snakemake jobstep
# plugin removes it from the environment of the srun it starts inside each job). A slurm.conf
# that this script did not write is never replaced. Running the script again on the same
# STATE_DIR starts only what is not running. Stop everything with .ci/slurm/stop.sh STATE_DIR.
# Ports: SLURMCTLD_PORT (6817) and SLURMD_PORT (6818).
#
# Exit status: 0 cluster up; 3 SLURM cannot be installed here (not root, or apt-get failed);
# anything else: the cluster failed to start (the daemons' log tails are printed).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="$(realpath -m "${1:-/tmp/sbrtlung-slurm}")"
NAME="$(hostname -s)"
UNAVAILABLE=3
MARK="# Single-node SLURM cluster for CI"  # first line of slurm.conf.in

# shellcheck source=.ci/slurm/common.sh
. "$HERE/common.sh"

installed() {
    local binary
    for binary in slurmctld slurmd sinfo sbatch squeue scontrol scancel munged; do
        command -v "$binary" >/dev/null || return 1
    done
}

install_slurm() {
    installed && return 0
    say "installing slurmctld slurmd slurm-client munge"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            slurmctld slurmd slurm-client munge; } >"$STATE/log/apt.log" 2>&1; then
        tail -n 20 "$STATE/log/apt.log" >&2
        say "apt-get could not install SLURM"
        exit "$UNAVAILABLE"
    fi
}

# munged refuses a key that others can read and folders that others can write.
start_munged() {
    live_pid "$STATE/munge/munged.pid" munged >/dev/null && return 0
    install -d -o munge -g munge -m 0755 "$STATE/munge"
    if [[ ! -s "$STATE/munge/munge.key" ]]; then
        (umask 077 && head -c 1024 /dev/urandom >"$STATE/munge/munge.key")
    fi
    chown munge:munge "$STATE/munge/munge.key"
    chmod 0400 "$STATE/munge/munge.key"
    runuser -u munge -- munged --force \
        --key-file="$STATE/munge/munge.key" \
        --socket="$STATE/munge/munge.socket.2" \
        --pid-file="$STATE/munge/munged.pid" \
        --log-file="$STATE/munge/munged.log" \
        --seed-file="$STATE/munge/munged.seed" </dev/null >>"$STATE/log/daemons.out" 2>&1
}

# The node as slurmd itself reports it (CPUs, topology, RealMemory), so that slurmctld accepts
# its registration as it is.
write_conf() {
    local hardware
    hardware="$(slurmd -C | head -n 1 | sed 's/^NodeName=[^ ]* //')"
    [[ "$hardware" == *CPUs=*RealMemory=* ]] || { say "slurmd -C said: $hardware"; exit 1; }
    sed -e "s|@NAME@|$NAME|g" -e "s|@STATE@|$STATE|g" -e "s|@HARDWARE@|$hardware|g" \
        -e "s|@CTLD_PORT@|${SLURMCTLD_PORT:-6817}|g" -e "s|@SLURMD_PORT@|${SLURMD_PORT:-6818}|g" \
        "$HERE/slurm.conf.in" >"$STATE/slurm.conf"
}

# Clients read /etc/slurm/slurm.conf: point it at this cluster, unless it is a real cluster's
# (a link left dangling by an earlier cluster is replaced).
link_conf() {
    local conf=/etc/slurm/slurm.conf
    if [[ -e "$conf" ]] && ! grep -qs "^$MARK" "$conf"; then
        say "$conf exists and was not written by this script: not replacing it"
        exit 1
    fi
    install -d -m 0755 /etc/slurm
    ln -sfn "$STATE/slurm.conf" "$conf"
}

start_daemon() {
    local name="$1"
    shift
    live_pid "$STATE/$name.pid" "$name" >/dev/null && return 0
    # Daemonised with every standard stream closed, so that no caller waits on a pipe.
    "$name" -f "$STATE/slurm.conf" "$@" </dev/null >>"$STATE/log/daemons.out" 2>&1
}

failed() {
    say "$1"
    for log in "$STATE/munge/munged.log" "$STATE/log/slurmctld.log" "$STATE/log/slurmd.log" \
        "$STATE/log/daemons.out"; do
        [[ -f "$log" ]] && { echo "--- $log" >&2; tail -n 20 "$log" >&2; }
    done
    exit 1
}

# A fresh node comes up idle; one that was already running may be busy with jobs.
wait_ready() {
    local state=""
    for _ in $(seq 60); do
        state="$(sinfo -h -n "$NAME" -o %T 2>/dev/null || true)"
        [[ "$state" =~ ^(idle|mixed|allocated|completing)$ ]] && return 0
        sleep 1
    done
    failed "node $NAME is not ready after 60 s (state: ${state:-none})"
}

if [[ "$(id -u)" != 0 ]]; then
    say "needs root, to install the packages and to start the daemons"
    exit "$UNAVAILABLE"
fi
install -d -m 0755 "$STATE" "$STATE/log"
install -d -m 0700 "$STATE/ctld" "$STATE/slurmd"
install_slurm
write_conf
link_conf
start_munged || failed "munged did not start"
start_daemon slurmctld || failed "slurmctld did not start"
start_daemon slurmd -N "$NAME" || failed "slurmd did not start"
wait_ready
say "cluster $NAME is up (sinfo, squeue, sbatch); stop it with .ci/slurm/stop.sh $STATE"
