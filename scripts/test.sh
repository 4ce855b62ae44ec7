#!/usr/bin/env bash
# Runs every netbeat test on a fresh machine: installs the packages it needs,
# checks generated files, vets, runs the unit tests, starts a real Apache
# Kafka broker (KRaft, jars from Maven Central, cached in .cache/), runs every
# integration test against it and the packaging tests, and stops it.
# Integration tests need root (network namespaces, AF_PACKET, dpkg).
#
# Order (see the README, "Two commands", for the times):
#   1. deps, generated files, go vet (both tag sets), unit tests; the broker
#      starts in the background meanwhile;
#   2. three jobs at once, each alone with what it touches: the integration
#      tests of ./beat (network namespaces, no broker), those of every other
#      package one at a time (-p 1: the Kafka tests stop and restart the
#      broker that beat/setup also uses), and scripts/package-test.sh (dpkg,
#      wine). Their output is printed when each ends, in that order.
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

# The broker starts while the unit tests run; its log is printed before the
# integration tests, which wait for it.
bash scripts/kafka.sh start >"$LOGS/kafka.log" 2>&1 &
kafka=$!
trap 'bash scripts/kafka.sh stop >/dev/null 2>&1 || true' EXIT

TS=$PWD/.cache/it/testsummary
step "build tools/testsummary" go build -o "$TS" ./tools/testsummary
export NETBEAT_TESTSUMMARY=$TS NETBEAT_TEST_LOGS=$LOGS
step "generated files are up to date" bash -c 'go run ./tools/genfields -check && go run ./tools/genconfig -check'
step "go vet" go vet ./...
step "go vet -tags integration" go vet -tags integration ./...
step "unit tests" gotest unit "$LOGS/unit.json" -count=1 ./...

phase "Kafka broker"
wait "$kafka" || failed+=("Kafka broker start")
cat "$LOGS/kafka.log"
phase_end

# One netbeat binary for every package's whole-binary tests (internal/nbtest).
step "build netbeat for the integration tests" go build -o .cache/it/netbeat .
export NETBEAT_BIN=$PWD/.cache/it/netbeat
others=$(go list -tags integration ./... | grep -vx "$MOD/beat")

phase "integration tests (./beat | the other packages, -p 1 | packaging), at once"
job it-beat gotest integration "$LOGS/it-beat.json" -tags integration -count=1 -timeout 40m ./beat
# shellcheck disable=SC2086
job it-others gotest integration "$LOGS/it-others.json" -tags integration -count=1 -p 1 -timeout 40m $others
job packaging bash scripts/package-test.sh
wait_jobs
phase_end

echo
"$TS" -trim "$MOD/" unit="$LOGS/unit.json" integration="$LOGS/it-beat.json" \
	integration="$LOGS/it-others.json" packaging="$LOGS/packaging.json" || failed+=("test summary")
report_phases
