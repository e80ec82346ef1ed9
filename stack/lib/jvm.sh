# shellcheck shell=bash
# JVM components: Kafka broker, Kafka Connect (+ Debezium, Apicurio converter), Apicurio Registry.
# Jars come from Maven Central through stack/jvm/*/pom.xml into $JVM_DIR; Maven runs again only
# when a pom changes (the stamp holds the poms' checksum), so a warm `stack:up` never starts Maven.

jvm_poms_checksum() {
  (cd "$STACK_ROOT/stack/jvm" && find . -name pom.xml -print0 | sort -z | xargs -0 sha256sum | sha256sum)
}

ensure_jvm_artifacts() {
  local stamp=$JVM_DIR/.poms.sha256 sum
  sum=$(jvm_poms_checksum)
  if [[ -f $stamp && $(<"$stamp") == "$sum" ]]; then return 0; fi
  local name
  for name in kafka connect registry; do
    ! owned_pid "$name" >/dev/null ||
      die "stack/jvm/*/pom.xml changed while our $name runs on the old jars: run npm run stack:down first"
  done
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  log "fetching JVM artifacts with Maven into $JVM_DIR (first run only)"
  rm -rf "$JVM_DIR"
  mkdir -p "$JVM_DIR"
  if ! mvn -B -q -f "$STACK_ROOT/stack/jvm/pom.xml" generate-resources -Dstack.dir="$CUTTLE_STACK_DIR" \
    >"$LOG_DIR/maven.log" 2>&1; then
    tail -n 30 "$LOG_DIR/maven.log" >&2
    die "Maven failed; full output in $LOG_DIR/maven.log"
  fi
  # Pax extended headers that the 2.8 unpacker writes out as files (the real files are complete).
  rm -rf "$JVM_DIR/apicurio/PaxHeaders.X"
  echo "$sum" >"$stamp"
}

# cluster id for `StorageTool format`: 16 random bytes in base64url, Kafka's Uuid text form. Like
# Kafka's Uuid.randomUuid, never one starting with '-' (1 in 64): argparse reads that as an option.
kafka_cluster_id() {
  node -e "const c=require('node:crypto');let id;do id=c.randomBytes(16).toString('base64url');while(id.startsWith('-'));process.stdout.write(id)"
}

kafka_start() {
  local dir=$CUTTLE_STACK_DIR/kafka host port cport props cp
  host=$(host_of "$CUTTLE_KAFKA_BROKERS")
  port=$(port_of "$CUTTLE_KAFKA_BROKERS")
  cport=$CUTTLE_KAFKA_CONTROLLER_PORT
  props=$dir/server.properties
  cp="$JVM_DIR/kafka-libs/*"
  mkdir -p "$dir/data"
  # The shared file first; later keys win when Java reads a properties file.
  {
    cat "$STACK_CONFIG/kafka/server.properties"
    echo "# ---- stack/lib/jvm.sh overrides"
    echo "log.dirs=$dir/data"
    echo "listeners=PLAINTEXT://$host:$port,CONTROLLER://$host:$cport"
    echo "advertised.listeners=PLAINTEXT://$host:$port"
    echo "controller.quorum.voters=1@$host:$cport"
  } >"$props"
  local heap jopts
  read -ra heap <<<"$CUTTLE_KAFKA_HEAP"
  jopts=("${heap[@]}" -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$STACK_CONFIG/kafka/log4j.properties")
  if [[ ! -f $dir/data/meta.properties ]]; then
    log "formatting Kafka storage in $dir/data"
    java "${jopts[@]}" -cp "$cp" kafka.tools.StorageTool format --cluster-id="$(kafka_cluster_id)" -c "$props" \
      --ignore-formatted >>"$LOG_DIR/kafka.log" 2>&1 || die "Kafka storage format failed; see $LOG_DIR/kafka.log"
  fi
  launch kafka java "${jopts[@]}" -cp "$cp" kafka.Kafka "$props"
}

connect_start() {
  local dir=$CUTTLE_STACK_DIR/connect host port props heap
  host=$(host_of "$CUTTLE_CONNECT_URL")
  port=$(port_of "$CUTTLE_CONNECT_URL")
  props=$dir/worker.properties
  mkdir -p "$dir"
  {
    cat "$STACK_CONFIG/connect/worker.properties"
    echo "# ---- stack/lib/jvm.sh overrides"
    echo "bootstrap.servers=$CUTTLE_KAFKA_BROKERS"
    echo "listeners=http://$host:$port"
    echo "rest.advertised.host.name=$host"
    echo "rest.advertised.port=$port"
    echo "plugin.path=$JVM_DIR/connect-plugins"
  } >"$props"
  read -ra heap <<<"$CUTTLE_CONNECT_HEAP"
  launch connect java "${heap[@]}" -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dlog4j.configuration=file:$STACK_CONFIG/connect/log4j.properties" \
    -cp "$JVM_DIR/connect-libs/*" org.apache.kafka.connect.cli.ConnectDistributed "$props"
}

registry_start() {
  local host port
  host=$(host_of "$CUTTLE_REGISTRY_URL")
  port=$(port_of "$CUTTLE_REGISTRY_URL")
  # The shared settings as environment variables, the address from CUTTLE_REGISTRY_URL.
  (
    set -a
    # shellcheck source=../config/apicurio/apicurio.env
    . "$STACK_CONFIG/apicurio/apicurio.env"
    # shellcheck disable=SC2034 # exported by set -a
    QUARKUS_HTTP_HOST=$host
    # shellcheck disable=SC2034
    QUARKUS_HTTP_PORT=$port
    set +a
    cd "$JVM_DIR/apicurio" || exit 1
    # 3.0.x ships a legacy runner jar with lib/; 3.3.x a fast-jar (quarkus-run.jar).
    local jar heap
    read -ra heap <<<"$CUTTLE_REGISTRY_HEAP"
    jar=$(compgen -G "$JVM_DIR/apicurio/*-runner.jar" || echo "$JVM_DIR/apicurio/quarkus-run.jar")
    launch registry java "${heap[@]}" -XX:+UseSerialGC -jar "$jar"
  )
}
