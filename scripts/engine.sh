#!/usr/bin/env bash
# Start or stop the Docker engine the kit's tests use: `scripts/engine.sh start|stop|status`.
# Tolerates what an abrupt end leaves behind (a stale pid file, Swarm state) and waits with a bound.
set -euo pipefail
LOG=${DOCKERD_LOG:-/tmp/dockerd.log}
WAIT_S=${DOCKERD_WAIT_S:-60}

running() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start() {
  if running; then echo "engine: already running"; return 0; fi
  command -v dockerd >/dev/null || { echo "engine: dockerd not installed (apt-get install docker.io)" >&2; exit 1; }
  # A dockerd killed without shutting down leaves its pid files behind and the next one refuses to start.
  if ! pgrep -x dockerd >/dev/null; then rm -f /var/run/docker.pid /run/docker.pid; fi
  if ! pgrep -x containerd >/dev/null; then rm -f /run/docker/containerd/containerd.pid; fi
  nohup dockerd >"$LOG" 2>&1 &
  for _ in $(seq 1 "$WAIT_S"); do
    if running; then echo "engine: up ($(docker version --format '{{.Server.Version}}'))"; return 0; fi
    sleep 1
  done
  echo "engine: did not answer within ${WAIT_S}s; last lines of $LOG:" >&2
  tail -n 20 "$LOG" >&2
  exit 1
}

stop() {
  if ! pgrep -x dockerd >/dev/null; then echo "engine: not running"; return 0; fi
  pkill -TERM -x dockerd || true
  for _ in $(seq 1 30); do pgrep -x dockerd >/dev/null || { echo "engine: stopped"; return 0; }; sleep 1; done
  pkill -KILL -x dockerd || true
  rm -f /var/run/docker.pid
  echo "engine: killed after 30s"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "engine: running"; else echo "engine: not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
