# shellcheck shell=bash
# What the fault drills share; sourced after deploy/local/lib.sh and
# deploy/harness/peers.sh, not run. A drill: drill_start, drill_load, its
# fault, wait "$load", drill_count.
#
# The load (deploy/harness/load.py) sends through the submission port with
# AUTH, each message to one local and one remote recipient (relay.bench, whose
# MX is Postfix's smtp-sink on 127.0.0.9, found through a dnsmasq); the
# worker runs with a short claim lease so rows a dead worker held come back
# within the drill.

DRILL_LEASE=15s
DRILL_SENDER=drill@example.test
DRILL_SECRET=drill-secret-$$

# drill_start NAME [deploy/local/up options...]: the peers, a fresh log in $DRILL, the stack up, the drill's account
drill_start() {
  DRILL="$LOCAL/chaos/$1"
  install_peers
  mkdir -p "$DRILL"
  rm -f "$DRILL/accepted.log" "$DRILL/times.log"
  start_dns
  start_sink "$DRILL/sink"
  trap drill_restore EXIT
  "$ROOT/deploy/local/up" "${@:2}" >/dev/null
  drill_worker
  "$ROOT/deploy/local/accounts" remove "$DRILL_SENDER" >/dev/null 2>&1 || true
  "$ROOT/deploy/local/accounts" add "$DRILL_SENDER" "$DRILL_SECRET" >/dev/null
}

# drill_worker [ENV=VALUE...]: the worker with the peers' DNS and the short claim lease
drill_worker() { restart_worker DELIVERY_SCHEDULER_CLAIM_LEASE=$DRILL_LEASE "$@"; }

# the peers stopped, the stack as deploy/local/up starts it; the drill's worker log kept in $DRILL
drill_restore() { stop_sink; stop_dns; cp "$LOGS/delivery-worker.log" "$DRILL/" 2>/dev/null || true; plain_worker; }

# drill_load MESSAGES [load.py options...]: the load in the background; its pid in $load
drill_load() {
  python3 "$ROOT/deploy/harness/load.py" --port "${SMTP_SUBMISSION_PORT:-2587}" --auth "$DRILL_SENDER:$DRILL_SECRET" \
    --sender "$DRILL_SENDER" --to "$DRILL_SENDER,rcpt@$PEER_DOMAIN" --count "$1" --sessions 10 --log "$DRILL/accepted.log" \
    --times "$DRILL/times.log" "${@:2}" &
  load=$!
}

# drill_recovered MESSAGES: once the ingress says it is ready again after a fault, a fresh load of
# MESSAGES goes through whole
drill_recovered() {
  wait_for 120 curl -sf "http://127.0.0.1:${SMTP_HTTP_PORT:-8080}/q/health/ready" -o /dev/null || die "smtp-ingress not ready again"
  local before
  before=$(accepted_so_far)
  drill_load "$1"
  wait "$load"
  [ $(( $(accepted_so_far) - before )) = "$1" ] || die "after the fault only $(( $(accepted_so_far) - before )) of $1 messages were accepted"
}

accepted_so_far() { wc -l < "$DRILL/accepted.log" 2>/dev/null || echo 0; }

# drill_count [count.py options...]: once the worker has drained (no lag on mail.inbound, nothing left
# for the sink's domain), the counting harness's verdict; exit 1 on any loss or local duplicate
drill_count() {
  local deadline=$(( $(date +%s) + 600 ))
  # each look starts a JVM for the group tool: every few seconds, not twice a second
  until [ "$(inbound_lag)" = 0 ] && [ "$(sql "select count(*) from delivery_queue where domain = '$PEER_DOMAIN'")" = 0 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || die "the worker did not drain in 10 minutes"
    sleep 3
  done
  python3 "$ROOT/deploy/harness/count.py" --log "$DRILL/accepted.log" --mailboxes --sink-dump "$DRILL/sink" "$@"
}

inbound_lag() {
  kafka_tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
    --describe --group delivery-worker 2>/dev/null | awk 'NR > 1 && $6 ~ /^[0-9]+$/ { lag += $6 } END { print lag + 0 }'
}

# inbound_partitions: one line per partition of mail.inbound, "PARTITION LEADER ISR" (LEADER -1 or
# none while it has none), as the brokers that are up see it
inbound_partitions() {
  kafka_tool org.apache.kafka.tools.TopicCommand --describe --topic mail.inbound 2>/dev/null | awk '
    $0 ~ /Partition:/ { for (i = 1; i < NF; i++) { if ($i == "Partition:") p = $(i+1); if ($i == "Leader:") l = $(i+1); if ($i == "Isr:") r = $(i+1) }
                        print p, l, r }'
}

# accepted_between FROM TO: the 250s the load got from FROM to TO (epoch seconds; TO may be "end")
accepted_between() {
  awk -v from="$1" -v to="$2" '$2 >= from && (to == "end" || $2 < to) { n++ } END { print n + 0 }' "$DRILL/times.log"
}

# seconds_between FROM [TO]: the seconds from FROM to TO (epoch seconds; TO: now), one decimal
seconds_between() { awk -v from="$1" -v to="${2:-$(date +%s.%N)}" 'BEGIN { printf "%.1f", to - from }'; }

# longest_gap [SINCE]: the longest time in seconds between two consecutive 250s of the load's --times file
# ($DRILL/times.log), from SINCE (epoch seconds) on, and when it began: "SECONDS START"
longest_gap() {
  sort -n -k2 "$DRILL/times.log" | awk -v since="${1:-0}" '
    { if ($2 >= since && prev && $2 - prev > gap) { gap = $2 - prev; start = prev } prev = $2 }
    END { printf "%.1f %.3f\n", gap, start }'
}

# longest_delivery_gap SINCE: the longest time in seconds between two consecutive commits of local
# deliveries to the drill's mailbox, from SINCE (epoch seconds) on, and when it began: "SECONDS START".
# Commit times, not delivered_at (a transaction's start): PostgreSQL keeps them (track_commit_timestamp),
# and a standby replays them, so they survive a failover.
longest_delivery_gap() {
  local gap
  gap=$(sql "select round(gap::numeric, 1) || ' ' || round((t - gap)::numeric, 3)
             from (select t, t - lag(t) over (order by t) as gap from (
                     select extract(epoch from pg_xact_commit_timestamp(e.xmin)) as t from mailbox_entry e
                     join account a on a.id = e.account_id where a.address = '$DRILL_SENDER') commits) gaps
             where t >= $1 and gap is not null order by gap desc limit 1")
  echo "${gap:-0 0}"
}

# start_instance NAME HTTP-PORT JAVA-OPTIONS...: another instance of a service beside the stack's, with the
# drill's peers and lease; its log and pid in $DRILL/NAME-2.{log,pid}
start_instance() {
  local name=$1 http=$2; shift 2
  # a moment for the port of an instance just killed to close
  wait_for 10 port_closed "$http" || die "port $http is taken"
  MAIL_ADMIN_TOKEN=$(admin_token) KAFKA_BOOTSTRAP_SERVERS=$(kafka_bootstrap) \
  SMTP_TLS_CERT_FILE="$DATA/tls/cert.pem" SMTP_TLS_KEY_FILE="$DATA/tls/key.pem" \
  DELIVERY_DNS_SERVERS="127.0.0.1:$DNS_PORT" DELIVERY_SMTP_PORT=$SINK_PORT DELIVERY_SCHEDULER_CLAIM_LEASE=$DRILL_LEASE \
  nohup java "${SERVICE_JAVA_OPTS[@]}" -Dquarkus.http.port="$http" -Dquarkus.http.host=127.0.0.1 -Dsmtp.host=127.0.0.1 "$@" \
    -jar "$ROOT/$name/target/quarkus-app/quarkus-run.jar" >"$DRILL/$name-2.log" 2>&1 &
  echo $! > "$DRILL/$name-2.pid"
  wait_for 120 curl -fs "http://127.0.0.1:$http/q/health/ready" -o /dev/null || die "the second $name is not ready (see $DRILL/$name-2.log)"
}

# stop_instances: the instances start_instance started (a drill's EXIT trap, before drill_restore)
stop_instances() {
  local pid_file
  for pid_file in "$DRILL"/*-2.pid; do
    [ -f "$pid_file" ] || continue
    kill "$(cat "$pid_file")" 2>/dev/null || true
    rm -f "$pid_file"
  done
}

# metric HTTP-PORT NAME: the sum of the series of one metric of the service on that port
metric() {
  curl -fsS "http://127.0.0.1:$1/q/metrics" | awk -v m="$2" '$1 ~ "^"m"(\\{|$)" { sum += $2 } END { printf "%d\n", sum }'
}
