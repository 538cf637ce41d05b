# Sourced by scripts that run programs against the local Phase-compatible server.
#
#   start_local_server SERVER_BIN SEED WORK_DIR TOKEN_NAME
#
# starts the server on a free port with SEED, waits until it listens, exports PHASE_HOST and
# PHASE_SERVICE_TOKEN (the token named TOKEN_NAME) and stops the server when the calling shell
# exits (an EXIT trap, which also removes WORK_DIR).

start_local_server() {
  local server_bin=$1 seed=$2 work=$3 token_name=$4
  "$server_bin" --port 0 --seed "$seed" --tokens-out "$work/server.json" >"$work/server.log" 2>&1 &
  LOCAL_SERVER_PID=$!
  trap 'kill "$LOCAL_SERVER_PID" 2>/dev/null || true; wait "$LOCAL_SERVER_PID" 2>/dev/null || true; rm -rf "'"$work"'"' EXIT
  for _ in $(seq 1 100); do
    [ -s "$work/server.json" ] && break
    sleep 0.1
  done
  [ -s "$work/server.json" ] || { echo "the local server did not start:" >&2; cat "$work/server.log" >&2; return 1; }
  local url token
  read -r url token < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["url"], d["tokens"][sys.argv[2]])' "$work/server.json" "$token_name")
  export PHASE_HOST="$url" PHASE_SERVICE_TOKEN="$token"
}
