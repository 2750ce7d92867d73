# Sourced by the scripts that check the built service from outside (schemathesis.sh, otlp-sdk.sh,
# dashboard-browser.sh): a throwaway embedded PostgreSQL in a temporary directory, `llmlog serve` on a free loopback
# port, and a cleanup that stops both whatever happens.
#
#   throwaway_packages PKG…  installs (apt) the packages given plus python3 with venv and pip, and curl, where missing
#   throwaway_workdir NAME   makes $work (traversable: the cluster runs as `postgres` when we are root), points
#                            LLMLOG_DATA_DIR into it and installs the cleanup trap
#   throwaway_serve          starts "$BIN" serve; sets $port, $base and $server_pid once /readyz answers 200
#
# The caller sets BIN (the llmlog binary, absolute) and may add files under $work before serving.

throwaway_packages() {
  local need=("$@")
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3 python3-venv python3-pip)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
  fi
}

throwaway_workdir() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/llmlog-$1.XXXXXX")
  chmod 755 "$work"
  export LLMLOG_DATA_DIR="$work/data"
  unset DATABASE_URL
  server_pid=
  trap throwaway_cleanup EXIT
  trap 'exit 130' INT TERM
}

throwaway_cleanup() {
  local status=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  # The service stops its embedded cluster at graceful shutdown; stop it here if that did not happen.
  if [ -f "$LLMLOG_DATA_DIR/pg/postmaster.pid" ]; then
    local pg_ctl
    pg_ctl=$(compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" | sort -V | tail -1 || true)
    if [ -n "$pg_ctl" ]; then
      if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$pg_ctl" -D "$LLMLOG_DATA_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
      else "$pg_ctl" -D "$LLMLOG_DATA_DIR/pg" -m immediate stop >/dev/null 2>&1 || true; fi
    fi
  fi
  if [ "$status" != 0 ] && [ -f "$work/serve.log" ]; then
    echo "--- last lines of the service log ---" >&2
    tail -n 40 "$work/serve.log" | grep -v 'key:' >&2 || true
  fi
  rm -rf "$work"
  exit "$status"
}

throwaway_serve() {
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  "$BIN" serve --port "$port" --log-level warning >"$work/serve.log" 2>&1 &
  server_pid=$!
  local deadline=$((SECONDS + 120))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz" || true)" = 200 ]; do
    kill -0 "$server_pid" 2>/dev/null || { echo "llmlog serve exited early" >&2; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "llmlog serve not ready after 120 s" >&2; exit 1; }
    sleep 0.2
  done
}
