# shellcheck shell=bash
# Processes the scripts start: one pid file per component under $RUN_DIR, checked against the
# process's command line so that a recycled pid is never mistaken for ours (or killed).

log() { printf '[stack] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

pid_file() { echo "$RUN_DIR/$1.pid"; }

# A string that the command line of our process for this component contains.
marker_of() {
  case $1 in
    mysql) [[ $(port_of "$CUTTLE_MYSQL_URL") == 3306 ]] && echo mariadbd || echo "$CUTTLE_STACK_DIR" ;;
    redis) echo redis-server ;;
    *) echo "$CUTTLE_STACK_DIR" ;;
  esac
}

# Prints the pid of our live process for component $1; fails if there is none.
owned_pid() {
  local file pid
  file=$(pid_file "$1")
  [[ -s $file ]] || return 1
  pid=$(head -n1 "$file")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$(marker_of "$1")" || return 1
  echo "$pid"
}

# launch NAME CMD...: runs CMD in its own session, output appended to $LOG_DIR/NAME.log.
# Inside a script job control is off, so setsid execs in place and $! is the process itself.
launch() {
  local name=$1
  shift
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  printf '\n==== %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$LOG_DIR/$name.log"
  # 9>&-: the lock that up.sh holds must not live on in the long-running child.
  setsid "$@" </dev/null >>"$LOG_DIR/$name.log" 2>&1 9>&- &
  echo $! >"$(pid_file "$name")"
}

# stop_owned NAME [GRACE_SECONDS]: SIGTERM our process, SIGKILL it after the grace period.
stop_owned() {
  local name=$1 grace=${2:-30} pid i
  if ! pid=$(owned_pid "$name"); then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop in ${grace}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$name")"
}

# Prints the pid of the process listening on TCP port $1 on this host (ours or not).
listener_pid() {
  ss -Hltnp "sport = :$1" | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2
}

# signal_listener PORT SIGNAL [GRACE_SECONDS]: signals whatever serves PORT and waits until the
# port is closed, with SIGKILL after the grace period. For fault tests: it works whether or not
# this checkout's scripts started the process.
signal_listener() {
  local port=$1 signal=$2 grace=${3:-60} pid i
  pid=$(listener_pid "$port")
  [[ -n $pid ]] || die "nothing listens on port $port"
  log "sending SIG$signal to pid $pid (port $port)"
  kill "-$signal" "$pid"
  for ((i = 0; i < grace * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  log "pid $pid did not exit in ${grace}s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

# Prints the stack folder the process listening on TCP port $1 was started from (the
# CUTTLE_STACK_DIR whose kafka/server.properties or connect/worker.properties its command line
# names); fails when no stack script started it.
stack_dir_of_listener() {
  local pid dir
  pid=$(listener_pid "$1")
  [[ -n $pid ]] || return 1
  dir=$(tr '\0' '\n' <"/proc/$pid/cmdline" | sed -n 's#^\(.*\)/\(kafka/server\|connect/worker\)\.properties$#\1#p' | head -n1)
  [[ -n $dir ]] || return 1
  echo "$dir"
}

# restart_listener PORT SIGNAL: for fault tests. Signals the stack process serving PORT (this
# checkout's or another's that this one reuses), then starts it again from the same stack folder,
# so that it comes back with its own data.
restart_listener() {
  local port=$1 signal=$2 dir
  dir=$(stack_dir_of_listener "$port") ||
    die "the process on port $port was not started by cuttle's stack scripts; not restarting it"
  signal_listener "$port" "$signal" 60
  sleep 2
  # The owning checkout's scripts and configuration too, when it still has them.
  local root=$STACK_ROOT
  [ -f "$dir/../stack/up.sh" ] && root=$(cd "$dir/.." && pwd)
  CUTTLE_STACK_DIR=$dir bash "$root/stack/up.sh"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# probe [--wait SECONDS] [--ensure] NAME...: real readiness checks (stack/probe/main.ts), one
# tab-separated line per component: name, address, up|down, detail. Exit 0 when all are up.
probe() {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true node --import tsx "$STACK_ROOT/stack/probe/main.ts" "$@"
}
