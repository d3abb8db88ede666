# shellcheck shell=bash
# A private Postfix for benchmarks: its own configuration, queue and log
# under one folder, its smtpd on 127.0.0.1:PORT, its delivery agents without
# chroot (as ours run); Debian's system instance is left alone. It fsyncs
# each queue file, as Postfix always does. Sourced after deploy/local/lib.sh.

install_postfix() {
  command -v smtp-source >/dev/null && [ -x /usr/sbin/postfix ] && return
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
}

# start_private_postfix DIR PORT <<< "main.cf lines of its own: what it accepts and how it delivers"
start_private_postfix() {
  local dir=$1 port=$2
  mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
  chown postfix "$dir/data"
  cp /etc/postfix/master.cf "$dir/etc/master.cf"
  sed -i -E "s/^smtp( +)inet( +)n( +)-( +)[yn]( +)/$port inet n - n /" "$dir/etc/master.cf"
  sed -i -E "s/^$port inet n - n  *-  *-  *smtpd/127.0.0.1:$port inet n - n - - smtpd/" "$dir/etc/master.cf"
  sed -i -E 's/^((smtp|virtual) +unix +- +- +)[yn]( +)/\1n\3/' "$dir/etc/master.cf"
  {
    cat <<CF
compatibility_level = 3.6
myhostname = bench-postfix.localdomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
alias_maps =
alias_database =
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
default_process_limit = 100
CF
    cat
  } > "$dir/etc/main.cf"
  postfix -c "$dir/etc" stop >/dev/null 2>&1 || true
  postfix -c "$dir/etc" check
  postfix -c "$dir/etc" start >/dev/null 2>&1
  wait_for 30 port_open "$port" || die "Postfix did not open port $port (see $dir/maillog)"
}

stop_private_postfix() { postfix -c "$1/etc" stop >/dev/null 2>&1 || true; }
