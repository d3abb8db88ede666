# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this file
# Shared by up, down and accounts: where things live and how to wait for them.
# Sourced, not run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOCAL="$ROOT/.local"
RUN="$LOCAL/run"
LOGS="$LOCAL/log"
DATA="$LOCAL/data"

KAFKA_PORT=19092
KAFKA_CONTROLLER_PORT=19093
# up --cluster: three KRaft nodes, each broker and controller (as deploy/k8s/overlays/prod runs them),
# named kafka-1..3; node N listens on KAFKA_PORT + 2(N-1) and its controller one above: 19092/19093,
# 19094/19095, 19096/19097. Node 1 keeps the single broker's address, so tools and tests that name
# only 127.0.0.1:19092 still find the cluster.
KAFKA_NODES="1 2 3"
# present while a stack started with --cluster runs: a later plain up (a drill restarting a service, a
# crashed broker) keeps to the cluster; down removes it
CLUSTER_MARK="$RUN/kafka-cluster"
PG_PORT=15432
PG_BIN=/usr/lib/postgresql/15/bin
PGDATA="$DATA/postgresql"

# Every JVM started here exits on OutOfMemoryError instead of limping on (sessions
# timing out, /q/health/live hanging, SIGTERM itself failing with an OutOfMemoryError);
# up starts it again. The services' options are shared with the drills' extra instances.
EXIT_ON_OOM=-XX:+ExitOnOutOfMemoryError
# A heap that follows the live set: the parallel collector (two threads here; G1's own
# structures held some 40 MB per JVM at this heap size), starting at 16 MB, given back down
# to 70% free after a full collection (not 20%: an old generation left with a few MB to spare
# filled again within a minute under load, and each full collection stopped the JVM for
# 55-157 ms here, the end-to-end bench's p99; the memory bench shows no cost), and grown only
# while more than 5% of the time goes to
# collecting (GCTimeRatio=19; run-java.sh's 4 let 20% go, and cost the ingress 12% of its
# rate). The native heap follows it too: malloc keeps what the JIT compilers and class
# loading freed (some 40 MB in the worker after a load) until trimmed, and
# TrimNativeHeapInterval gives it back every 5 s (some 20 MB less PSS per idle service, 0-35). The
# images pass the same options (quarkus.jib.jvm-arguments), so a container and a local JVM
# size their heaps alike. -Xmx stays the bound for the largest messages (the ingress's
# budget, the worker's fetches).
SMALL_FOOTPRINT=(-XX:+UseParallelGC -XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70 -XX:GCTimeRatio=19 -XX:AdaptiveSizePolicyWeight=90 -XX:TrimNativeHeapInterval=5000)
SERVICE_JAVA_OPTS=("${SMALL_FOOTPRINT[@]}" -Xms16m -Xmx512m "$EXIT_ON_OOM")

SMTP_HTTP_PORT=${SMTP_HTTP_PORT:-8080}
DELIVERY_HTTP_PORT=${DELIVERY_HTTP_PORT:-8081}
POP3_HTTP_PORT=${POP3_HTTP_PORT:-8082}

cluster_mode() { [ -f "$CLUSTER_MARK" ]; }
kafka_node_port() { echo $(( KAFKA_PORT + 2 * ($1 - 1) )); }
kafka_node_controller_port() { echo $(( KAFKA_CONTROLLER_PORT + 2 * ($1 - 1) )); }
# kafka_bootstrap: the brokers' addresses for clients, comma-separated (all three in cluster mode)
kafka_bootstrap() {
  if cluster_mode; then
    local node list=
    for node in $KAFKA_NODES; do list="$list${list:+,}127.0.0.1:$(kafka_node_port "$node")"; done
    echo "$list"
  else
    echo "127.0.0.1:$KAFKA_PORT"
  fi
}
# kafka_tool CLASS ARGS...: one of Kafka's command-line tools from the broker jars, against this stack's brokers
kafka_tool() { java -cp "$LOCAL/kafka/lib/*" "$1" --bootstrap-server "$(kafka_bootstrap)" "${@:2}"; }

say() { printf '%s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# process_alive PID: true for a running process (a killed one that is still
# a zombie, waiting to be reaped, is not running)
process_alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $state != Z* ]]
}

# process_gone PID: the opposite, for wait_for
process_gone() { ! process_alive "$1"; }

# pid_alive NAME: true when .local/run/NAME.pid names a running process
pid_alive() {
  [ -f "$RUN/$1.pid" ] && process_alive "$(cat "$RUN/$1.pid")"
}

# stop_process NAME: SIGTERM to what .local/run/NAME.pid names, up to 30 s for a clean exit, then SIGKILL
stop_process() {
  local name=$1 pid
  pid_alive "$name" || { rm -f "$RUN/$name.pid"; return 0; }
  pid=$(cat "$RUN/$name.pid")
  say "$name: stopping"
  kill "$pid" 2>/dev/null || true
  wait_for 30 process_gone "$pid" || kill -9 "$pid" 2>/dev/null || true
  rm -f "$RUN/$name.pid"
}

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

port_closed() { ! port_open "$1"; }

# wait_for SECONDS COMMAND...: polls COMMAND every half second until it succeeds
wait_for() {
  local seconds=$1; shift
  local deadline=$(( $(date +%s) + seconds ))
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# The admin token: MAIL_ADMIN_TOKEN if given, else one made once for this checkout.
admin_token() {
  if [ -n "${MAIL_ADMIN_TOKEN:-}" ]; then
    printf '%s' "$MAIL_ADMIN_TOKEN"
  else
    mkdir -p "$LOCAL"
    # hex: no line wrapping or shell-special characters, whatever the tools' defaults
    [ -s "$LOCAL/admin-token" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$LOCAL/admin-token")
    tr -d '[:space:]' < "$LOCAL/admin-token"
  fi
}

# The key that seals DKIM private keys (mail.dkim.key): MAIL_DKIM_KEY if given, else one made once for
# this checkout, so that deploy/local/dkim works on the local stack as it comes
dkim_sealing_key() {
  if [ -n "${MAIL_DKIM_KEY:-}" ]; then
    printf '%s' "$MAIL_DKIM_KEY"
  else
    mkdir -p "$LOCAL"
    [ -s "$LOCAL/dkim-key" ] || (umask 077; head -c 32 /dev/urandom | base64 > "$LOCAL/dkim-key")
    tr -d '[:space:]' < "$LOCAL/dkim-key"
  fi
}

# sql QUERY: one query against the local mail store, unaligned rows
sql() { PGPASSWORD=mail psql -h 127.0.0.1 -p "$PG_PORT" -U mail -d mail -Atc "$1"; }
# mailbox_count ADDRESS: the messages in that account's mailbox
mailbox_count() { sql "select count(*) from mailbox_entry e join account a on a.id = e.account_id where a.address = '$1'"; }
# pss_mb PID: the PSS of PID and its child processes in MB (shared pages split among the processes sharing them)
pss_mb() {
  local total=0 pid
  for pid in "$1" $(ps -o pid= --ppid "$1"); do
    total=$(( total + $(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0) ))
  done
  echo $(( total / 1024 ))
}

mvnw() { "$ROOT/mvnw" -B -q "$@"; }

# single_node_only WHAT: for a drill or bench that stops or freezes the one broker or database by its
# pid file; a stack started with up --cluster has several, so it refuses to run there
single_node_only() {
  if cluster_mode; then die "$1 needs the single-node stack, and this one runs as a cluster: deploy/local/down, then run it again"; fi
}

# json_string VALUE: VALUE as a JSON string, escaped
json_string() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }

# url_segment VALUE: VALUE as one percent-encoded path segment of a URL, so that a "/", "#", "?" or ".."
# in an address, domain or selector cannot point the call at another resource
url_segment() {
  python3 -c 'import sys, urllib.parse
s = sys.argv[1]
sys.exit("not a name: %r" % s) if s in ("", ".", "..") else print(urllib.parse.quote(s, safe=""))' "$1"
}

# admin_call METHOD URL [BODY]: one call to an admin API with the admin token; prints the answer's body,
# or on an error status the server's answer to stderr, and exits non-zero
admin_call() {
  local out status
  out=$(mktemp)
  # the token through a file descriptor, not on curl's command line, where ps shows it to every user
  status=$(curl -sS -o "$out" -w '%{http_code}' -X "$1" -H @<(printf 'Authorization: Bearer %s\n' "$(admin_token)") \
    -H 'Content-Type: application/json' ${3:+--data "$3"} "$2") || { rm -f "$out"; die "no answer from $2"; }
  case "$status" in
    2??) cat "$out"; rm -f "$out" ;;
    *) cat "$out" >&2; echo >&2; rm -f "$out"; die "HTTP $status" ;;
  esac
}
