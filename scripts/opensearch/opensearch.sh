#!/usr/bin/env bash
# A real OpenSearch 2.19.6 node from Maven Central jars (README.md here).
# netbeat (libbeat) needs a compatibility proxy in front of it (README.md);
# central mode's integration tests (beat/consume) store and count their
# documents in it.
#
# Usage: scripts/opensearch/opensearch.sh start|stop
#   env: OS_PORT=19200 (HTTP; transport +100)  DIR=.cache/opensearch (jars)
#        OS_HOME=$DIR/home (data; its pid and log files are OS_HOME.pid/.log)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${DIR:-$root/.cache/opensearch}
port=${OS_PORT:-19200}
home=${OS_HOME:-$dir/home}
pidfile=$dir/os.pid
logfile=$dir/os.log
if [ -n "${OS_HOME:-}" ]; then
	pidfile=$OS_HOME.pid
	logfile=$OS_HOME.log
fi
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
	rm -rf "$home"
	# setsid and closed fds: the node outlives the caller and holds none of
	# its pipes (go test waits for those) or locks
	setsid nohup java -Xms512m -Xmx1g -Dopensearch.set.netty.runtime.available.processors=false \
		-Dtests.security.manager=false -Dhttp.port="$port" -cp "$dir/libs-rt/*:$dir" OsMain "$home" \
		>"$logfile" 2>&1 </dev/null 9>&- &
	echo $! >"$pidfile"
	for _ in $(seq 90); do
		if curl -sf "127.0.0.1:$port" >/dev/null; then
			curl -s "127.0.0.1:$port"
			exit 0
		fi
		kill -0 "$(cat "$pidfile")" 2>/dev/null || break
		sleep 1
	done
	echo "opensearch.sh: OpenSearch did not answer on 127.0.0.1:$port; see $logfile" >&2
	exit 1
	;;
stop)
	if [ -f "$pidfile" ]; then
		kill "$(cat "$pidfile")" 2>/dev/null || true
		rm -f "$pidfile"
	fi
	if [ -n "${OS_HOME:-}" ]; then rm -rf "$OS_HOME"; fi
	;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
