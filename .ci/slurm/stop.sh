#!/usr/bin/env bash
# Stop the cluster that .ci/slurm/start.sh started in STATE_DIR (default /tmp/sbrtlung-slurm).
#
# Cancels the jobs still queued or running, then ends slurmd, slurmctld and munged by the PIDs
# in their PID files (SIGTERM, SIGKILL after 20 s) and removes the /etc/slurm/slurm.conf link
# to this cluster. Only those processes are signalled; a daemon that is not running is skipped,
# so the script can be run any number of times.
set -uo pipefail

STATE="$(realpath -m "${1:-/tmp/sbrtlung-slurm}")"

# shellcheck source=.ci/slurm/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

stop_daemon() {
    local pidfile="$1" name="$2" pid
    pid="$(live_pid "$pidfile" "$name")" || return 0
    kill -TERM "$pid"
    for _ in $(seq 100); do
        [[ -d "/proc/$pid" ]] || { say "stopped $name ($pid)"; return 0; }
        sleep 0.2
    done
    say "$name ($pid) ignored SIGTERM, killing it"
    kill -KILL "$pid" 2>/dev/null
}

# Jobs first, while slurmd can still end their processes.
if [[ -f "$STATE/slurm.conf" ]] && live_pid "$STATE/slurmctld.pid" slurmctld >/dev/null; then
    export SLURM_CONF="$STATE/slurm.conf"
    jobs="$(squeue -h -o %i 2>/dev/null)"
    if [[ -n "$jobs" ]]; then
        say "cancelling jobs $(echo "$jobs" | tr '\n' ' ')"
        # shellcheck disable=SC2086  # one argument per job id
        scancel $jobs
        for _ in $(seq 30); do
            [[ -z "$(squeue -h -t RUNNING,COMPLETING -o %i 2>/dev/null)" ]] && break
            sleep 1
        done
    fi
fi
stop_daemon "$STATE/slurmd.pid" slurmd
stop_daemon "$STATE/slurmctld.pid" slurmctld
stop_daemon "$STATE/munge/munged.pid" munged
# The link that start.sh made, only if it still points at this cluster.
if [[ "$(readlink /etc/slurm/slurm.conf)" == "$STATE/slurm.conf" ]]; then
    rm -f /etc/slurm/slurm.conf
fi
