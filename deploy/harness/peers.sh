# shellcheck shell=bash
# The remote side of benchmarks and drills, on loopback: a dnsmasq that
# serves relay.bench's MX (pointing at 127.0.0.9), and Postfix's smtp-sink on
# 127.0.0.9 as that MX. Sourced after deploy/local/lib.sh, not run.

PEER_DOMAIN=relay.bench
SINK=127.0.0.9
SINK_PORT=2599
DNS_PORT=15353
PEERS="$LOCAL/peers"

install_peers() {
  command -v smtp-sink >/dev/null && [ -x /usr/sbin/postfix ] && command -v dnsmasq >/dev/null && return
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix dnsmasq-base >/dev/null
}

start_dns() { # [more dnsmasq options: records of a bench's own]
  stop_dns
  mkdir -p "$PEERS"
  dnsmasq --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
    --conf-file=/dev/null --pid-file="$PEERS/dnsmasq.pid" --user=nobody --local=/bench/ \
    --mx-host="$PEER_DOMAIN,mx.$PEER_DOMAIN,10" --host-record="mx.$PEER_DOMAIN,$SINK" "$@"
}
# a pid file left by a peer that died already must not stop the script (set -e)
stop_dns() { [ -f "$PEERS/dnsmasq.pid" ] && { kill "$(cat "$PEERS/dnsmasq.pid")" 2>/dev/null || true; }; rm -f "$PEERS/dnsmasq.pid"; }

start_sink() { # [dump folder] [smtp-sink options...]: with a folder, every message is written there for the counting harness
  local dump=()
  mkdir -p "$PEERS"
  if [ -n "${1:-}" ]; then
    rm -rf "$1"; mkdir -p "$1"; chown nobody "$1"
    dump=(-d "$1/%H%M%S.")
  fi
  smtp-sink -u nobody "${dump[@]}" "${@:2}" "$SINK:$SINK_PORT" 256 &
  echo $! > "$PEERS/sink.pid"
  wait_for 10 bash -c "(exec 3<>/dev/tcp/$SINK/$SINK_PORT) 2>/dev/null" || die "smtp-sink did not start"
}
stop_sink() { [ -f "$PEERS/sink.pid" ] && { kill "$(cat "$PEERS/sink.pid")" 2>/dev/null || true; }; rm -f "$PEERS/sink.pid"; }

# restart_worker [ENV=VALUE...]: the delivery worker again, resolving through the peers' DNS and dialling the sink's port
restart_worker() {
  if pid_alive delivery-worker; then
    kill "$(cat "$RUN/delivery-worker.pid")"
    wait_for 30 process_gone "$(cat "$RUN/delivery-worker.pid")" || die "delivery-worker did not stop"
  fi
  env DELIVERY_DNS_SERVERS="127.0.0.1:$DNS_PORT" DELIVERY_SMTP_PORT=$SINK_PORT "$@" "$ROOT/deploy/local/up" >/dev/null
}

# plain_worker: the delivery worker again as deploy/local/up starts it (the end of a bench or drill)
plain_worker() {
  kill "$(cat "$RUN/delivery-worker.pid")" 2>/dev/null || true
  wait_for 30 process_gone "$(cat "$RUN/delivery-worker.pid")" || true
  "$ROOT/deploy/local/up" >/dev/null
}

