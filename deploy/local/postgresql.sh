# shellcheck shell=bash
# PostgreSQL for deploy/local/up, down and the drills; sourced after lib.sh, not run.
#
# The single-node stack: one server on PG_PORT, data in .local/data/postgresql.
#
# up --cluster: two instances, postgresql-1 on PG_PORT+1 and postgresql-2 on PG_PORT+2, a primary and
# a streaming standby that every commit waits for (synchronous_standby_names 'ANY 1 (*)', as the
# CloudNativePG cluster's synchronous {method: any, number: 1, dataDurability: required}). HAProxy
# listens on PG_PORT and leads to whichever instance is primary, as CloudNativePG's -rw Service does,
# so the services, the tests and the scripts keep their one address in both modes.
#
# Why HAProxy and not the drivers' multi-host target_session_attrs=read-write: the services reach
# PostgreSQL through the Vert.x reactive client, which takes several hosts only to spread connections
# over them, never to find the primary; only the JDBC driver that the worker's Flyway uses at start-up could.
#
# Nothing here fails over by itself: promote_standby does what the operator (or CNPG) does, and the
# next up takes the old primary back as a standby (pg_rewind), never as a second primary.

PG_NODES="1 2"
pg_node_port() { echo $(( PG_PORT + $1 )); }
pg_node_data() { echo "$DATA/postgresql-$1"; }
HAPROXY_DIR="$LOCAL/haproxy"

install_postgresql() {
  [ -x "$PG_BIN/initdb" ] && return
  say "postgresql: installing Debian's postgresql-15"
  # our cluster lives in .local/; do not let the package create and start its own
  mkdir -p /etc/postgresql-common
  grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf \
    || echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
}

install_haproxy() {
  command -v haproxy >/dev/null && return
  say "haproxy: installing Debian's haproxy"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
}

# The server refuses to run as root and must reach its data folder as the
# postgres user: give that user search (not read) permission on the way there.
grant_postgres_path() {
  local dir=$DATA
  while [ "$dir" != "/" ]; do
    runuser -u postgres -- test -x "$dir" 2>/dev/null || chmod o+x "$dir"
    dir=$(dirname "$dir")
  done
}

as_postgres() { runuser -u postgres -- "$@"; }

# pg_initdb DIR: a new, empty database cluster in DIR, owned by the postgres user
pg_initdb() {
  mkdir -p "$1"
  chown postgres:postgres "$1"
  chmod 700 "$1"
  as_postgres "$PG_BIN/initdb" -D "$1" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
}

# pg_start NAME DIR PORT: the server on DIR listening on 127.0.0.1:PORT; its pid in run/NAME.pid, its
# log in log/NAME.log (not in DIR: a base backup or pg_rewind would copy the other instance's log over it)
pg_start() {
  local name=$1 dir=$2 port=$3 log="$LOGS/$1.log"
  [ -L "$log" ] && rm -f "$log"
  touch "$log"
  chown postgres "$log"
  # TCP only: a Unix socket path under a deep checkout can pass the 107-byte limit
  as_postgres "$PG_BIN/pg_ctl" -D "$dir" -l "$log" -w -t 120 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c track_commit_timestamp=on" start >/dev/null \
    || die "$name did not start (see $log)"
  head -n 1 "$dir/postmaster.pid" > "$RUN/$name.pid"
}

# pg_stop NAME DIR: a fast shutdown (sessions ended, transactions rolled back, a checkpoint written)
pg_stop() {
  if pid_alive "$1"; then
    say "$1: stopping"
    as_postgres "$PG_BIN/pg_ctl" -D "$2" -m fast -w stop >/dev/null
  fi
  rm -f "$RUN/$1.pid"
}

start_postgresql() {
  if pid_alive postgresql; then say "postgresql: running"; create_databases; return; fi
  port_open "$PG_PORT" && die "port $PG_PORT is taken by a program not started from $ROOT (another checkout's stack?)"
  install_postgresql
  grant_postgres_path
  [ -f "$PGDATA/PG_VERSION" ] || pg_initdb "$PGDATA"
  say "postgresql: starting on 127.0.0.1:$PG_PORT"
  pg_start postgresql "$PGDATA" "$PG_PORT"
  create_databases
}

# ---------------------------------------------------------------- up --cluster

# pg_node_sql NODE QUERY: one query to that instance itself (not through HAProxy); empty when it does not answer
pg_node_sql() {
  PGCONNECT_TIMEOUT=2 psql -X -Atq -h 127.0.0.1 -p "$(pg_node_port "$1")" -U postgres -d postgres -c "$2" 2>/dev/null || true
}

# pg_node_role NODE: primary, standby, or nothing for an instance that is not running
pg_node_role() {
  case "$(pg_node_sql "$1" 'select pg_is_in_recovery()')" in
    f) echo primary ;;
    t) echo standby ;;
  esac
}

# pg_running_primary: the node that runs as primary, if one does; two that both take writes stop the
# script, for an operator to decide which one's data to keep
pg_running_primary() {
  local node primaries=''
  for node in $PG_NODES; do
    if [ "$(pg_node_role "$node")" = primary ]; then primaries="$primaries${primaries:+ }$node"; fi
  done
  case "$primaries" in
    *' '*) die "postgresql-${primaries% *} and -${primaries#* } both run as primary: stop the one whose data is older" ;;
  esac
  echo "$primaries"
}

# pg_timeline NODE: the newest timeline its data has seen. A promotion starts a new one and writes its
# history file into pg_wal at once (the control file learns it only at the next checkpoint), so after a
# failover the promoted node's is the higher.
pg_timeline() {
  local newest
  newest=$(cd "$(pg_node_data "$1")/pg_wal" && find . -maxdepth 1 -name '*.history' -printf '%f\n' | sort | tail -n 1)
  if [ -n "$newest" ]; then echo $(( 16#${newest%.history} )); else echo 1; fi
}

# pg_stopped_primary: of the stopped nodes that were primary when they stopped (no standby.signal),
# the one on the newest timeline: after a failover the promoted node, not the one it replaced
pg_stopped_primary() {
  local node best='' best_timeline=-1 timeline
  for node in $PG_NODES; do
    { [ -f "$(pg_node_data "$node")/PG_VERSION" ] && [ ! -f "$(pg_node_data "$node")/standby.signal" ]; } || continue
    timeline=$(pg_timeline "$node")
    # the same timeline on both: neither was promoted past the other, and taking either could drop the
    # other's acknowledged commits
    [ "$timeline" = "$best_timeline" ] && die "postgresql-$best and -$node were both primary on timeline $timeline: start the one to keep by hand"
    if [ "$timeline" -gt "$best_timeline" ]; then best=$node best_timeline=$timeline; fi
  done
  echo "$best"
}

# pg_follow NODE PRIMARY: NODE's data made a standby of PRIMARY. A node that was a primary itself is
# rewound to where the two parted (pg_rewind, which CNPG uses too; it recovers a crashed target
# first); a node without data, or one pg_rewind cannot bring back, gets a fresh base backup.
pg_follow() {
  local node=$1 primary=$2 dir source
  dir=$(pg_node_data "$node")
  source="host=127.0.0.1 port=$(pg_node_port "$primary") user=postgres dbname=postgres"
  # a just promoted primary names its new timeline in its control file only at its next checkpoint,
  # and pg_rewind reads it there; without it pg_rewind finds nothing to do and the standby cannot follow
  psql -X -q -h 127.0.0.1 -p "$(pg_node_port "$primary")" -U postgres -d postgres -c checkpoint \
    || die "postgresql-$node: no checkpoint on postgresql-$primary to rewind to"
  if [ -f "$dir/PG_VERSION" ] && [ ! -f "$dir/standby.signal" ]; then
    say "postgresql-$node: rewinding to follow postgresql-$primary"
    as_postgres "$PG_BIN/pg_rewind" -D "$dir" --source-server="$source" >"$LOGS/postgresql-$node-rewind.log" 2>&1 \
      || { say "postgresql-$node: pg_rewind failed (see $LOGS/postgresql-$node-rewind.log), cloning instead"; rm -rf "$dir"; }
  fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    say "postgresql-$node: cloning postgresql-$primary"
    mkdir -p "$dir"; chown postgres:postgres "$dir"; chmod 700 "$dir"
    as_postgres "$PG_BIN/pg_basebackup" -D "$dir" -d "$source" -X stream -c fast >/dev/null \
      || die "postgresql-$node: pg_basebackup from postgresql-$primary failed"
  fi
  # the replication settings written by hand, not by -R: pg_rewind writes none when the two never parted
  sed -i '/^primary_conninfo/d' "$dir/postgresql.auto.conf"
  echo "primary_conninfo = '$source application_name=postgresql-$node'" >> "$dir/postgresql.auto.conf"
  as_postgres touch "$dir/standby.signal"
}

# The settings of both instances, in the first one's postgresql.conf (a base backup copies it):
# commits wait for one standby; hint bits are logged so that pg_rewind can take a failed primary
# back; WAL is kept for a standby that was away for a while.
pg_cluster_settings() {
  cat >> "$1/postgresql.conf" <<CONF
synchronous_standby_names = 'ANY 1 (*)'
wal_log_hints = on
wal_keep_size = 512MB
CONF
}

start_postgresql_cluster() {
  install_postgresql
  install_haproxy
  grant_postgres_path
  local primary node
  primary=$(pg_running_primary)
  if [ -z "$primary" ]; then
    primary=$(pg_stopped_primary)
    if [ -z "$primary" ]; then
      for node in $PG_NODES; do
        [ -f "$(pg_node_data "$node")/PG_VERSION" ] && die "the cluster's PostgreSQL data holds no primary, only standbys: deploy/local/down --purge starts afresh"
      done
      primary=1
      pg_initdb "$(pg_node_data 1)"
      pg_cluster_settings "$(pg_node_data 1)"
    fi
    port_open "$(pg_node_port "$primary")" && die "port $(pg_node_port "$primary") is taken by a program not started from $ROOT"
    say "postgresql-$primary: starting as primary on 127.0.0.1:$(pg_node_port "$primary")"
    pg_start "postgresql-$primary" "$(pg_node_data "$primary")" "$(pg_node_port "$primary")"
  else
    say "postgresql-$primary: running as primary"
  fi
  for node in $PG_NODES; do
    [ "$node" = "$primary" ] && continue
    if pid_alive "postgresql-$node"; then say "postgresql-$node: running"; continue; fi
    port_open "$(pg_node_port "$node")" && die "port $(pg_node_port "$node") is taken by a program not started from $ROOT"
    [ -f "$(pg_node_data "$node")/standby.signal" ] || pg_follow "$node" "$primary"
    say "postgresql-$node: starting as standby on 127.0.0.1:$(pg_node_port "$node")"
    pg_start "postgresql-$node" "$(pg_node_data "$node")" "$(pg_node_port "$node")"
  done
  start_haproxy
  wait_for 60 pg_standby_synchronous "$primary" || die "no standby streams synchronously from postgresql-$primary (see $LOGS/postgresql-*.log)"
  # HAProxy 2.6 starts with every server up until its first check: wait until it leads to the primary
  wait_for 30 primary_behind_proxy || die "PostgreSQL's primary does not answer through HAProxy on $PG_PORT (see $LOGS/haproxy.log)"
  create_databases
}

primary_behind_proxy() { [ "$(psql_admin -Atc 'select not pg_is_in_recovery()' 2>/dev/null)" = t ]; }

# pg_standby_synchronous PRIMARY: a standby streams from PRIMARY and its commits wait for it
pg_standby_synchronous() {
  [ "$(pg_node_sql "$1" "select count(*) from pg_stat_replication where state = 'streaming' and sync_state in ('sync', 'quorum')")" -ge 1 ] 2>/dev/null
}

# HAProxy on PG_PORT, checking each instance every second (every 250 ms while one changes state) with
# deploy/local/pg-primary-check; a server found down has its sessions cut, so that clients reconnect
# to the new primary instead of waiting on a dead one.
start_haproxy() {
  if pid_alive haproxy; then say "haproxy: running"; return; fi
  port_open "$PG_PORT" && die "port $PG_PORT is taken by a program not started from $ROOT (another checkout's stack?)"
  mkdir -p "$HAPROXY_DIR"
  local node servers=
  for node in $PG_NODES; do
    servers="$servers  server postgresql-$node 127.0.0.1:$(pg_node_port "$node") check
"
  done
  cat > "$HAPROXY_DIR/haproxy.cfg" <<CFG
global
  external-check
  insecure-fork-wanted
  log stdout format raw local0

defaults
  mode tcp
  log global
  option log-health-checks
  option dontlog-normal
  timeout connect 2s
  timeout check 3s
  # pooled connections may idle for long; PostgreSQL and the pools end them, not the proxy
  timeout client 1h
  timeout server 1h

listen postgresql
  bind 127.0.0.1:$PG_PORT
  option external-check
  # PostgreSQL's own psql first, not Debian's wrapper script: the check runs a few times a second
  external-check path "$PG_BIN:/usr/bin:/bin"
  external-check command "$ROOT/deploy/local/pg-primary-check"
  balance first
  default-server inter 1s fastinter 250ms downinter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
$servers
CFG
  say "haproxy: starting on 127.0.0.1:$PG_PORT (to the primary)"
  nohup haproxy -db -f "$HAPROXY_DIR/haproxy.cfg" >"$LOGS/haproxy.log" 2>&1 &
  echo $! > "$RUN/haproxy.pid"
  wait_for 10 port_open "$PG_PORT" || die "haproxy did not open port $PG_PORT (see $LOGS/haproxy.log)"
}

# promote_standby: the running standby becomes the primary, as CNPG does when the primary is lost;
# prints the node promoted
promote_standby() {
  local node
  [ -z "$(pg_running_primary)" ] || die "a primary still runs: a second one would split the data"
  for node in $PG_NODES; do
    if [ "$(pg_node_role "$node")" = standby ]; then
      as_postgres "$PG_BIN/pg_ctl" -D "$(pg_node_data "$node")" -w promote >/dev/null || die "postgresql-$node: promotion failed"
      echo "$node"
      return
    fi
  done
  die "no running standby to promote"
}

stop_postgresql_all() {
  local node
  stop_process haproxy
  pg_stop postgresql "$PGDATA"
  for node in $PG_NODES; do pg_stop "postgresql-$node" "$(pg_node_data "$node")"; done
}

# mail: the stack's; mail_test: the tests' own, so that a running stack's worker
# never claims a test's queue rows, nor the tests its
create_databases() {
  psql_admin -tAc "select 1 from pg_roles where rolname = 'mail'" | grep -q 1 \
    || psql_admin -c "create role mail login password 'mail'" >/dev/null
  local db
  for db in mail mail_test; do
    psql_admin -tAc "select 1 from pg_database where datname = '$db'" | grep -q 1 \
      || psql_admin -c "create database $db owner mail" >/dev/null
  done
}

psql_admin() { psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
