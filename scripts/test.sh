#!/usr/bin/env bash
# Runs every netbeat test on a fresh machine: installs the packages it needs,
# checks generated files, runs the unit tests, starts a real Apache Kafka
# broker (KRaft, jars from Maven Central, cached in .cache/), runs every
# integration test against it, and stops it. Integration tests need root
# (network namespaces, AF_PACKET). Exit status is non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/deps.sh

echo ">> generated files are up to date"
go run ./tools/genfields -check
go run ./tools/genconfig -check

echo ">> go vet"
go vet ./...
go vet -tags integration ./...

echo ">> unit tests"
go test -count=1 ./...

echo ">> Kafka broker"
bash scripts/kafka.sh start
trap 'bash scripts/kafka.sh stop || true' EXIT

echo ">> integration tests"
# One netbeat binary for every package's whole-binary tests (internal/nbtest).
mkdir -p .cache/it
go build -o .cache/it/netbeat .
export NETBEAT_BIN="$PWD/.cache/it/netbeat"
go test -tags integration -count=1 -p 1 -timeout 40m ./...

echo ">> packaging: deb/rpm/tar.gz/zip, dpkg install/upgrade/purge, systemd-analyze, wine"
bash scripts/package-test.sh

echo ">> all tests passed in $(( $(date +%s) - start ))s"
