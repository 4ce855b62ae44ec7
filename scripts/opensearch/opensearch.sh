#!/usr/bin/env bash
# A real OpenSearch 2.19.6 node from Maven Central jars, for the
# compatibility experiment of issue #5 (README.md here). Not used by the
# test suite: netbeat (libbeat) does not work against OpenSearch unchanged.
#
# Usage: scripts/opensearch/opensearch.sh start|stop
#   env: OS_PORT=19200 (HTTP; transport +100)  DIR=.cache/opensearch
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${DIR:-$root/.cache/opensearch}
port=${OS_PORT:-19200}
case ${1:-start} in
start)
	mkdir -p "$dir"
	if [ ! -d "$dir/libs-rt" ]; then
		mvn -q -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dir/libs"
		# MockNode runs without the test runner; with randomizedtesting on the
		# class path it insists on a randomized test context.
		mkdir -p "$dir/libs-rt.tmp"
		for j in "$dir"/libs/*.jar; do
			case $(basename "$j") in
			randomizedtesting-runner-* | junit-* | mockito-* | hamcrest-* | byte-buddy-* | objenesis-*) ;;
			*) cp "$j" "$dir/libs-rt.tmp/" ;;
			esac
		done
		mv "$dir/libs-rt.tmp" "$dir/libs-rt"
	fi
	javac -d "$dir" -cp "$dir/libs-rt/*" "$here/OsMain.java"
	rm -rf "$dir/home"
	nohup java -Xms512m -Xmx1g -Dopensearch.set.netty.runtime.available.processors=false \
		-Dtests.security.manager=false -Dhttp.port="$port" -cp "$dir/libs-rt/*:$dir" OsMain "$dir/home" \
		>"$dir/os.log" 2>&1 &
	echo $! >"$dir/os.pid"
	for _ in $(seq 90); do
		if curl -sf "127.0.0.1:$port" >/dev/null; then
			curl -s "127.0.0.1:$port"
			exit 0
		fi
		kill -0 "$(cat "$dir/os.pid")" 2>/dev/null || break
		sleep 1
	done
	echo "opensearch.sh: OpenSearch did not answer on 127.0.0.1:$port; see $dir/os.log" >&2
	exit 1
	;;
stop)
	if [ -f "$dir/os.pid" ]; then
		kill "$(cat "$dir/os.pid")" 2>/dev/null || true
		rm -f "$dir/os.pid"
	fi
	;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
