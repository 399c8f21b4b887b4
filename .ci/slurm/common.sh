# shellcheck shell=bash
# Shell functions shared by start.sh and stop.sh (sourced, not run).

say() { echo "slurm-ci: $*" >&2; }

# The PID in a PID file, if it is a live process with the expected command name (a PID left
# in a stale file may since have gone to another process).
live_pid() {
    local pidfile="$1" name="$2" pid
    [[ -s "$pidfile" ]] || return 1
    pid="$(cat "$pidfile")"
    [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$name" ]] \
        && echo "$pid"
}
