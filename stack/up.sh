#!/usr/bin/env bash
# npm run stack:up — start every component that is not already answering, then wait until each is
# really ready. Idempotent: components that answer are left alone (ours or someone else's), a dead
# one of ours is restarted, and nothing is downloaded twice (Maven's ~/.m2 and .stack/jvm).
set -euo pipefail
. "$(dirname "$0")/lib/env.sh"
. "$STACK_ROOT/stack/lib/process.sh"
. "$STACK_ROOT/stack/lib/jvm.sh"
. "$STACK_ROOT/stack/lib/native.sh"

# Seconds a component may take from launch to ready on a busy 2-core machine.
ready_timeout() {
  case $1 in
    connect | registry) echo 240 ;;
    kafka | origin | mysql) echo 120 ;;
    *) echo 60 ;;
  esac
}

# wait_ready NAME [PID]: probes until NAME is ready; gives up early when PID has exited.
wait_ready() {
  local extra=() result
  [[ $1 == s3 ]] && extra+=(--create-bucket)
  [[ -n ${2:-} ]] && extra+=(--pid "$2")
  result=$(probe --wait "$(ready_timeout "$1")" "${extra[@]}" "$1") && return 0
  log "$1 is not ready: $(cut -f4 <<<"$result")"
  return 1
}

# Runs in the background, one per component that is down; exits non-zero when it cannot help.
bring_up() {
  local name=$1 address pid
  address=$(address_of "$name")
  if pid=$(owned_pid "$name"); then
    log "$name: our process $pid is running but not ready yet; waiting"
    wait_ready "$name" && return 0
    log "$name: still not ready; restarting it"
    stop_owned "$name" 15
  elif port_open "$(host_of "$address")" "$(port_of "$address")"; then
    log "$name: something that is not ours listens at $address; waiting for it to be ready"
    wait_ready "$name" && return 0
    die "$name: $address is taken by a process that never became a ready $name (not started by these scripts)"
  fi
  if [[ $name == connect ]]; then
    wait_ready kafka || die "connect: Kafka at $CUTTLE_KAFKA_BROKERS is not ready"
  fi
  log "$name: starting at $address"
  "${name}_start"
  wait_ready "$name" "$(owned_pid "$name" || true)" || die "$name did not become ready; see $LOG_DIR/$name*"
  log "$name: ready"
}

main() {
  local start=$SECONDS name state address down=() jobs=() failed=0 i
  [[ -f $STACK_ROOT/node_modules/tsx/package.json ]] || die "node_modules is missing: run npm ci first"
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  exec 9>"$RUN_DIR/up.lock"
  flock -w 900 9 || die "another stack:up is still running"

  while IFS=$'\t' read -r name address state _; do
    [[ $state == up ]] && continue
    is_local_address "$name" ||
      die "$name is not reachable at $address and is not on this machine; fix or unset $(variable_of "$name")"
    down+=("$name")
  done < <(probe || true)

  if ((${#down[@]} > 0)); then
    log "not ready: ${down[*]}"
    case " ${down[*]} " in *" kafka "* | *" connect "* | *" registry "*) ensure_jvm_artifacts ;; esac
    for name in "${down[@]}"; do
      bring_up "$name" &
      jobs+=($!)
    done
    for i in "${!jobs[@]}"; do
      wait "${jobs[$i]}" || failed=1
    done
  fi

  bash "$STACK_ROOT/stack/status.sh" || failed=1
  log "stack:up took $((SECONDS - start))s"
  return "$failed"
}

main "$@"
