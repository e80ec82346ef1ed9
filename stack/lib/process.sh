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
    mysql) echo mariadbd ;;
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

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# probe [--wait SECONDS] [--ensure] NAME...: real readiness checks (stack/probe/main.ts), one
# tab-separated line per component: name, address, up|down, detail. Exit 0 when all are up.
probe() {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true node --import tsx "$STACK_ROOT/stack/probe/main.ts" "$@"
}
