# shellcheck shell=bash
# Addresses and folders of the stack. Same variable names and defaults as test/support/stack-env.ts
# (test/unit/stack/stack-env-defaults.test.ts checks that the two agree). Point a variable at a
# running service to use it: the scripts then start nothing for that component.

STACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export STACK_ROOT

: "${CUTTLE_STACK_DIR:=$STACK_ROOT/.stack}"
: "${CUTTLE_MYSQL_URL:=mysql://root@127.0.0.1:3306}"
: "${CUTTLE_REDIS_URL:=redis://127.0.0.1:6379}"
: "${CUTTLE_KAFKA_BROKERS:=127.0.0.1:19092}"
: "${CUTTLE_KAFKA_CONTROLLER_PORT:=19093}"
: "${CUTTLE_CONNECT_URL:=http://127.0.0.1:18083}"
: "${CUTTLE_REGISTRY_URL:=http://127.0.0.1:18081/apis/ccompat/v7}"
: "${CUTTLE_REGISTRY_API_URL:=http://127.0.0.1:18081/apis/registry/v2}"
: "${CUTTLE_ORIGIN_MYSQL_URL:=mysql://root@127.0.0.1:3307}"
: "${CUTTLE_S3_ENDPOINT:=http://127.0.0.1:14568}"
: "${CUTTLE_S3_BUCKET:=cuttle}"
# Small heaps: the machine has 2 cores and other engineers' JVMs.
: "${CUTTLE_KAFKA_HEAP:=-Xms128m -Xmx512m}"
: "${CUTTLE_CONNECT_HEAP:=-Xms128m -Xmx768m}"
: "${CUTTLE_REGISTRY_HEAP:=-Xms64m -Xmx384m}"

export CUTTLE_STACK_DIR CUTTLE_MYSQL_URL CUTTLE_REDIS_URL CUTTLE_KAFKA_BROKERS CUTTLE_KAFKA_CONTROLLER_PORT \
  CUTTLE_CONNECT_URL CUTTLE_REGISTRY_URL CUTTLE_REGISTRY_API_URL CUTTLE_ORIGIN_MYSQL_URL CUTTLE_S3_ENDPOINT \
  CUTTLE_S3_BUCKET CUTTLE_KAFKA_HEAP CUTTLE_CONNECT_HEAP CUTTLE_REGISTRY_HEAP

# shellcheck disable=SC2034 # used by the files that source this one
STACK_CONFIG=$STACK_ROOT/stack/config
# shellcheck disable=SC2034
JVM_DIR=$CUTTLE_STACK_DIR/jvm
# shellcheck disable=SC2034
RUN_DIR=$CUTTLE_STACK_DIR/run
# shellcheck disable=SC2034
LOG_DIR=$CUTTLE_STACK_DIR/logs

# "scheme://user@host:port/path" or "host:port[,host:port]" -> "host:port" (the first one).
hostport_of() {
  local u=${1%%,*}
  u=${u#*://}
  u=${u##*@}
  echo "${u%%/*}"
}
host_of() {
  local hp
  hp=$(hostport_of "$1")
  echo "${hp%:*}"
}
port_of() {
  local hp
  hp=$(hostport_of "$1")
  echo "${hp##*:}"
}

# The address a component is reached at, as the tests see it.
address_of() {
  case $1 in
    mysql) echo "$CUTTLE_MYSQL_URL" ;;
    redis) echo "$CUTTLE_REDIS_URL" ;;
    origin) echo "$CUTTLE_ORIGIN_MYSQL_URL" ;;
    s3) echo "$CUTTLE_S3_ENDPOINT" ;;
    kafka) echo "$CUTTLE_KAFKA_BROKERS" ;;
    registry) echo "$CUTTLE_REGISTRY_URL" ;;
    connect) echo "$CUTTLE_CONNECT_URL" ;;
  esac
}

# The variable that configures a component's address (named in error messages).
variable_of() {
  case $1 in
    mysql) echo CUTTLE_MYSQL_URL ;;
    redis) echo CUTTLE_REDIS_URL ;;
    origin) echo CUTTLE_ORIGIN_MYSQL_URL ;;
    s3) echo CUTTLE_S3_ENDPOINT ;;
    kafka) echo CUTTLE_KAFKA_BROKERS ;;
    registry) echo CUTTLE_REGISTRY_URL ;;
    connect) echo CUTTLE_CONNECT_URL ;;
  esac
}

# Only loopback addresses are ours to start; anything else is someone else's service.
is_local_address() {
  case $(host_of "$(address_of "$1")") in
    127.0.0.1 | localhost | '[::1]') return 0 ;;
    *) return 1 ;;
  esac
}
