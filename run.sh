#!/usr/bin/env bash
# The main job: installs what is missing, builds colonyd and runs it in the
# foreground with its embedded defaults (the HTTP backend on
# 127.0.0.1:8080, the Redis-compatible key-value backend on 127.0.0.1:6379,
# the admin endpoint on 127.0.0.1:9090). Ctrl-C drains and exits. Arguments are colonyd's flags (see `--help`), for example
#   ./run.sh --http_listen=127.0.0.1:8081 --log_level=debug
# The example programs of the library: examples/run_examples.sh.
set -euo pipefail
cd "$(dirname "$0")"
tools/install_deps.sh
bazel build //cmd/colonyd
colonyd=bazel-bin/cmd/colonyd/colonyd

# Where it will listen, as the configuration says (flags included).
value() { "$colonyd" "$@" --print-config | awk -v k="$key" '$1 == k { print $2 }'; }
key=http_listen; http="$(value "$@")"
key=admin_listen; admin="$(value "$@")"
key=kv_listen; kv="$(value "$@")"
# The test dependencies include Debian's redis-server, whose service may
# hold 6379: then the key-value backend's default moves to 6380.
if [ "$kv" = "127.0.0.1:6379" ] && (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  echo "run.sh: 127.0.0.1:6379 is taken (a redis-server?); kv backend on 6380"
  set -- --kv_listen=127.0.0.1:6380 "$@"
  kv=127.0.0.1:6380
fi

cat <<EOT
colonyd: starting in the foreground (Ctrl-C drains and exits).

  HTTP backend     http://$http/
    curl http://$http/plaintext
    curl http://$http/json
    curl -d 'hello' http://$http/echo
  Key-value (RESP) redis://$kv
    redis-cli -h ${kv%:*} -p ${kv##*:} set greeting hello
    redis-cli -h ${kv%:*} -p ${kv##*:} get greeting
    redis-benchmark -h ${kv%:*} -p ${kv##*:} -q -t set,get -P 16
  Admin endpoint   http://$admin/   (dashboard: open it in a browser)
    curl http://$admin/metrics
    curl http://$admin/readyz
    curl http://$admin/debug/coroutines
    curl -X POST 'http://$admin/loglevel?level=debug'
  Signals          kill -HUP <pid>   reload the config file
                   kill -QUIT <pid>  dump every task to the log

EOT
exec "$colonyd" "$@"
