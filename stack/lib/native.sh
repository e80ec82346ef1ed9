# shellcheck shell=bash
# Non-JVM components: ctldb (the machine's MariaDB, or a private one), Redis, the private MariaDB
# origin, s3rver.

# ctldb: the machine's own MariaDB on 3306, started the way the machine starts it; on any other
# port a private instance of ours (the fleet's, so that a fault run can stop and restart it
# without touching the machine's database).
mysql_start() {
  if [[ $(port_of "$CUTTLE_MYSQL_URL") != 3306 ]]; then
    private_mariadb_start mysql "$CUTTLE_MYSQL_URL" ctldb-mariadb "$STACK_CONFIG/ctldb-mariadb/ctldb.cnf" ""
    return
  fi
  [[ -x /usr/sbin/mariadbd ]] || die "/usr/sbin/mariadbd not found (apt-get install mariadb-server)"
  mkdir -p "$RUN_DIR" /run/mysqld
  chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --make-pidfile --pidfile "$(pid_file mysql)" \
    --exec /usr/sbin/mariadbd 9>&-
}

# The machine's Redis, with the machine's own command line plus a pid file of ours.
redis_start() {
  command -v redis-server >/dev/null || die "redis-server not found (apt-get install redis-server)"
  mkdir -p "$RUN_DIR" /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$(port_of "$CUTTLE_REDIS_URL")" --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log --pidfile "$(pid_file redis)" 9>&-
}

# Private MariaDB with a ROW binlog: shared settings in stack/config/origin-mariadb/origin.cnf, the
# paths and port here. A fresh data directory gets the Debezium user from init.sql.
origin_start() {
  private_mariadb_start origin "$CUTTLE_ORIGIN_MYSQL_URL" origin-mariadb \
    "$STACK_CONFIG/origin-mariadb/origin.cnf" "$STACK_CONFIG/origin-mariadb/init.sql"
}

# install_mariadb_data NAME DIR: a fresh system schema in DIR/data, with a tmpdir of its own.
install_mariadb_data() {
  local name=$1 dir=$2
  rm -rf "$dir/data" "$dir/tmp"
  mkdir -p "$dir/tmp"
  mariadb-install-db --no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" --user="$(id -un)" \
    --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
    >>"$LOG_DIR/$name.log" 2>&1
}

# private_mariadb_start NAME URL FOLDER CNF INIT_SQL: a MariaDB of ours under $CUTTLE_STACK_DIR/FOLDER,
# settings from CNF, listening at URL's address; a fresh data directory runs INIT_SQL (if given).
private_mariadb_start() {
  local name=$1 url=$2 dir=$CUTTLE_STACK_DIR/$3 cnf=$4 init=$5 sock fresh=0 i
  sock=$dir/mysqld.sock
  command -v mariadbd >/dev/null || die "mariadbd not found (apt-get install mariadb-server)"
  mkdir -p "$dir" "$LOG_DIR"
  cat >"$dir/my.cnf" <<CNF
!include $cnf
# ---- stack/lib/native.sh: paths and address
[mysqld]
datadir=$dir/data
socket=$sock
pid-file=$dir/mysqld.pid
log-error=$LOG_DIR/$name.err
user=$(id -un)
port=$(port_of "$url")
bind-address=$(host_of "$url")
CNF
  if [[ ! -d $dir/data/mysql ]]; then
    log "initialising the $name MariaDB data directory"
    # Its own tmpdir: two data directories initialised at once in the shared /tmp failed once
    # ("Could not remove temporary table", then "Unknown table mysql.tmp_user_sys"); a second
    # try from an empty directory is cheap insurance against whatever else it was.
    install_mariadb_data "$name" "$dir" || install_mariadb_data "$name" "$dir" ||
      die "mariadb-install-db failed; see $LOG_DIR/$name.log"
    fresh=1
  fi
  launch "$name" mariadbd --defaults-file="$dir/my.cnf"
  ((fresh)) && [[ -n $init ]] || return 0
  for ((i = 0; i < 120; i++)); do
    mariadb-admin --socket="$sock" -uroot ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  mariadb --socket="$sock" -uroot <"$init" || die "$name: $init failed"
}

# s3rver from node_modules. --openssl-legacy-provider: its ListObjects continuation token uses DES,
# which OpenSSL 3 disables, so paginated listings fail without it.
s3_start() {
  local bin=$STACK_ROOT/node_modules/s3rver/bin/s3rver.js
  [[ -f $bin ]] || die "$bin not found (run npm ci)"
  mkdir -p "$CUTTLE_STACK_DIR/s3"
  launch s3 node --openssl-legacy-provider "$bin" -d "$CUTTLE_STACK_DIR/s3" \
    -a "$(host_of "$CUTTLE_S3_ENDPOINT")" -p "$(port_of "$CUTTLE_S3_ENDPOINT")" \
    --configure-bucket "$CUTTLE_S3_BUCKET"
}
