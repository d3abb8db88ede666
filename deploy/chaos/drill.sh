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

# the peers stopped, the stack as deploy/local/up starts it
drill_restore() { stop_sink; stop_dns; plain_worker; }

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

# longest_gap [SINCE]: the longest time in seconds between two consecutive 250s of the load's --times file
# ($DRILL/times.log), from SINCE (epoch seconds) on, and when it began: "SECONDS START"
longest_gap() {
  sort -n -k2 "$DRILL/times.log" | awk -v since="${1:-0}" '
    $2 >= since { if (prev && $2 - prev > gap) { gap = $2 - prev; start = prev } prev = $2 }
    END { printf "%.1f %.3f\n", gap, start }'
}
