# shellcheck shell=bash
# A private Dovecot for benchmarks (Debian's dovecot-pop3d): POP3 on
# 127.0.0.1:PORT over one Maildir per user, plain passwords from a file, its
# configuration, state and log under one folder; the system instance is left
# alone. Sourced after deploy/local/lib.sh.

install_dovecot() {
  command -v dovecot >/dev/null && [ -x /usr/lib/dovecot/pop3 ] && return
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-pop3d >/dev/null
}

# The user Dovecot reads mail as: dovecot when run as root, else whoever runs this.
dovecot_mail_user() { if [ "$(id -u)" = 0 ]; then echo dovecot; else id -un; fi; }

# start_private_dovecot DIR PORT MAILDIRS USERS PASSWORD: USER's mail is the Maildir MAILDIRS/USER (USERS comma-separated)
start_private_dovecot() {
  local dir=$1 port=$2 maildirs=$3 users=$4 password=$5 mail_user
  mail_user=$(dovecot_mail_user)
  stop_private_dovecot "$dir" "$port"
  mkdir -p "$dir/run" "$dir/state" "$maildirs"
  : > "$dir/users"
  for user in ${users//,/ }; do printf '%s:{PLAIN}%s\n' "$user" "$password" >> "$dir/users"; done
  cat > "$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = $mail_user
default_login_user = $(if [ "$(id -u)" = 0 ]; then echo dovenull; else id -un; fi)
first_valid_uid = $(id -u "$mail_user")
mail_location = maildir:$maildirs/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = static
  args = uid=$mail_user gid=$(id -gn "$mail_user") home=$maildirs/%u
}
service pop3-login {
  inet_listener pop3 {
    port = $port
  }
  inet_listener pop3s {
    port = 0
  }
}
service anvil {
  # a benchmark logs in many times from one address
  client_limit = 1000
}
protocol pop3 {
  pop3_uidl_format = %08Xu%08Xv
}
CONF
  chown -R "$mail_user" "$maildirs"
  dovecot -c "$dir/dovecot.conf"
  wait_for 30 port_open "$port" || die "Dovecot did not open port $port (see $dir/dovecot.log)"
}

# stop_private_dovecot DIR PORT
stop_private_dovecot() {
  [ -f "$1/dovecot.conf" ] && { dovecot -c "$1/dovecot.conf" stop >/dev/null 2>&1 || true; }
  wait_for 10 bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$2) 2>/dev/null" || true
}
