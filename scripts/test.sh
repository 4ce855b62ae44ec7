#!/usr/bin/env bash
# Runs every netbeat test on a fresh machine: installs the packages it needs,
# checks generated files, vets, runs the unit tests, starts a real Apache
# Kafka broker (KRaft, jars from Maven Central, cached in .cache/), runs every
# integration test against it and the packaging tests, and stops it.
# Integration tests need root (network namespaces, AF_PACKET, dpkg).
#
# Order (see the README, "Two commands", for the times):
#   1. deps, generated files, go vet (both tag sets), the netbeat binary the
#      integration tests share; the broker starts in the background;
#   2. at once, each alone with what it touches: the integration tests of
#      every package but ./beat, one at a time once the broker is up (the
#      Kafka tests stop and restart it), scripts/package-test.sh (dpkg, wine)
#      and the unit tests (printed as they run); once the unit tests are
#      done, ./beat's integration tests (network namespaces, no broker) in
#      two processes. Each job's output is printed when it ends.
# Every phase runs even after a failure; at the end tools/testsummary prints
# the tests run, passed, failed and skipped per package (skips with their
# reasons) and the time of each phase. Exit status is non-zero if anything
# failed. Raw go test -json output and each job's log: .cache/test-logs/.
#
# Everything is built with -trimpath (GOFLAGS), as the packages are
# (magefile.go): the test binaries, vet and the packages share one compiled
# copy of the ~1,470 dependencies instead of compiling them twice.
set -uo pipefail
cd "$(dirname "$0")/.."
T0=$(date +%s)
LOGS=$PWD/.cache/test-logs
MOD=github.com/netbeat/netbeat
export GOFLAGS="-trimpath${GOFLAGS:+ $GOFLAGS}"
source scripts/testlib.sh

phase "deps"
bash scripts/deps.sh || { echo "test.sh: installing the test dependencies failed" >&2; exit 1; }
phase_end
rm -rf "$LOGS" && mkdir -p "$LOGS" .cache/it

# The broker and the 3-node cluster (scripts/kafka-cluster.sh: output.franz's
# fault tests, about 4–5 minutes of ./beat/outputs/kafka) start in the
# background; the job of the Kafka tests waits for them.
(
	bash scripts/kafka.sh start
	echo $? >"$LOGS/kafka.rc"
) >"$LOGS/kafka.log" 2>&1 &
(
	# after the single broker: both would fetch the jars on a fresh machine
	while [ ! -f "$LOGS/kafka.rc" ]; do sleep 1; done
	bash scripts/kafka-cluster.sh start
	echo $? >"$LOGS/kafka-cluster.rc"
) >"$LOGS/kafka-cluster.log" 2>&1 &
# A real OpenSearch node (scripts/opensearch: jars from Maven Central, fetched
# once) for central mode's tests (beat/consume), also in the background.
OS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
export OS_PORT OS_HOME=$PWD/.cache/opensearch/home-test NETBEAT_OPENSEARCH=http://127.0.0.1:$OS_PORT
(
	bash scripts/opensearch/opensearch.sh start
	echo $? >"$LOGS/opensearch.rc"
) >"$LOGS/opensearch.log" 2>&1 &
stop_services() {
	bash scripts/kafka.sh stop >/dev/null 2>&1 || true
	bash scripts/kafka-cluster.sh stop >/dev/null 2>&1 || true
	bash scripts/opensearch/opensearch.sh stop >/dev/null 2>&1 || true
}
trap stop_services EXIT

TS=$PWD/.cache/it/testsummary
step "build tools/testsummary" go build -o "$TS" ./tools/testsummary
export NETBEAT_TESTSUMMARY=$TS NETBEAT_TEST_LOGS=$LOGS
step "generated files are up to date" bash -c 'go run ./tools/genfields -check && go run ./tools/genconfig -check'
step "go vet" go vet ./...
step "go vet -tags integration" go vet -tags integration ./...
# The plugin SDK is a Go module of its own (plugins/sdk/go.mod): ./... at
# the root does not reach it.
sdk_vet() { (cd plugins/sdk && go vet ./... && go vet -tags integration ./...); }
sdk_unit() { (cd plugins/sdk && gotest unit "$LOGS/unit-sdk.json" -count=1 ./...); }
step "go vet (the plugin SDK module, plugins/sdk)" sdk_vet
# One netbeat binary for every package's whole-binary tests (internal/nbtest).
step "build netbeat for the integration tests" go build -o .cache/it/netbeat .
export NETBEAT_BIN=$PWD/.cache/it/netbeat

# ./beat's TestLiveFilterAtStartup (40 netbeat starts, half of ./beat's
# time) runs in a process of its own, at once with the rest of ./beat: its
# network namespaces are named after the test process.
SLOW=TestLiveFilterAtStartup
it_beat_slow() {
	gotest integration "$LOGS/it-beat-slow.json" -tags integration -count=1 -timeout 40m -run "^$SLOW\$" ./beat || return 1
	grep -q "\"Test\":\"$SLOW\"" "$LOGS/it-beat-slow.json" ||
		{ echo "test.sh: ./beat has no $SLOW any more: update SLOW in scripts/test.sh"; return 1; }
}
# Every other package, one at a time (-p 1: the Kafka tests stop and restart
# the broker that beat/setup also uses), once the broker is up.
it_others() {
	while [ ! -f "$LOGS/kafka.rc" ] || [ ! -f "$LOGS/kafka-cluster.rc" ] || [ ! -f "$LOGS/opensearch.rc" ]; do sleep 1; done
	cat "$LOGS/kafka.log" "$LOGS/kafka-cluster.log" "$LOGS/opensearch.log"
	[ "$(cat "$LOGS/kafka.rc")" = 0 ] || { echo "test.sh: the Kafka broker did not start"; return 1; }
	[ "$(cat "$LOGS/kafka-cluster.rc")" = 0 ] || { echo "test.sh: the 3-node Kafka cluster did not start"; return 1; }
	[ "$(cat "$LOGS/opensearch.rc")" = 0 ] || { echo "test.sh: OpenSearch did not start"; return 1; }
	local rc=0
	# shellcheck disable=SC2046
	gotest integration "$LOGS/it-others.json" -tags integration -count=1 -p 1 -timeout 40m \
		$(go list -tags integration ./... | grep -vx "$MOD/beat") || rc=1
	bash scripts/kafka-cluster.sh stop # three JVMs less for the jobs still running
	bash scripts/opensearch/opensearch.sh stop
	return $rc
}
phase "jobs: integration tests of the other packages, packaging tests; then ./beat's (its $SLOW | the rest), after the unit tests"
job it-others it_others
job packaging bash scripts/package-test.sh
step "unit tests" gotest unit "$LOGS/unit.json" -count=1 ./...
step "unit tests of the plugin SDK module (plugins/sdk)" sdk_unit
# The capture sources as a CGO_ENABLED=0 build has them (no libpcap: filters
# cannot be compiled, and say so).
step "unit tests of beat/capture without cgo" env CGO_ENABLED=0 go test -count=1 ./beat/capture
# ./beat's live-capture tests wait for traffic with short sleeps: they start
# once the unit tests (the busiest part: -p 2 builds) are done.
job it-beat-slow it_beat_slow
job it-beat gotest integration "$LOGS/it-beat.json" -tags integration -count=1 -timeout 40m -skip "^$SLOW\$" ./beat
phase "waiting for the jobs"
wait_jobs
phase_end

echo
"$TS" -trim "$MOD/" unit="$LOGS/unit.json" unit="$LOGS/unit-sdk.json" integration="$LOGS/it-beat-slow.json" integration="$LOGS/it-beat.json" \
	integration="$LOGS/it-others.json" packaging="$LOGS/packaging.json" || failed+=("test summary")
report_phases
