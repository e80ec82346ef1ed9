# shellcheck shell=bash
# Non-JVM components: the machine's MariaDB (ctldb) and Redis, the private MariaDB origin, s3rver.

# The machine's own MariaDB, started the way the machine starts it, only on its standard port.
mysql_start() {
  [[ $(port_of "$CUTTLE_MYSQL_URL") == 3306 ]] ||
    die "nothing answers at $CUTTLE_MYSQL_URL; only the machine's MariaDB on 3306 is started by the scripts"
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
  local dir=$CUTTLE_STACK_DIR/origin-mariadb sock fresh=0 i
  sock=$dir/mysqld.sock
  command -v mariadbd >/dev/null || die "mariadbd not found (apt-get install mariadb-server)"
  mkdir -p "$dir"
  cat >"$dir/my.cnf" <<CNF
!include $STACK_CONFIG/origin-mariadb/origin.cnf
# ---- stack/lib/native.sh: paths and address
[mysqld]
datadir=$dir/data
socket=$sock
pid-file=$dir/mysqld.pid
log-error=$LOG_DIR/origin.err
user=$(id -un)
port=$(port_of "$CUTTLE_ORIGIN_MYSQL_URL")
bind-address=$(host_of "$CUTTLE_ORIGIN_MYSQL_URL")
CNF
  if [[ ! -d $dir/data/mysql ]]; then
    log "initialising the origin MariaDB data directory"
    rm -rf "$dir/data"
    mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" \
      --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
      >>"$LOG_DIR/origin.log" 2>&1 || die "mariadb-install-db failed; see $LOG_DIR/origin.log"
    fresh=1
  fi
  launch origin mariadbd --defaults-file="$dir/my.cnf"
  ((fresh)) || return 0
  for ((i = 0; i < 120; i++)); do
    mariadb-admin --socket="$sock" -uroot ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  mariadb --socket="$sock" -uroot <"$STACK_CONFIG/origin-mariadb/init.sql" ||
    die "origin init.sql failed"
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
