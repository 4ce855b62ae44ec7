# shellcheck shell=bash
# Helpers of scripts/test.sh (sourced; it sets T0, LOGS and TS): phases with
# their wall time, steps that record a failure and go on, jobs run at once
# with their output kept apart, and go test -json through tools/testsummary.
failed=()  # names of the steps and jobs that failed
phases=()  # "  NNNs  name" lines for report_phases
_phase="" _phase_t=0

# phase NAME: prints ">> [elapsed] NAME" and starts timing it.
phase() {
	_phase=$1 _phase_t=$(date +%s)
	echo ">> [$((_phase_t - T0))s] $1"
}

# phase_end: records the time of the current phase.
phase_end() { phases+=("$(printf '%5ds  %s' $(($(date +%s) - _phase_t)) "$_phase")"); }

# step NAME CMD...: a timed phase; a failure is recorded, not fatal.
step() {
	local name=$1
	shift
	phase "$name"
	"$@" || { failed+=("$name"); echo ">> FAILED: $name"; }
	phase_end
}

# gotest SUITE FILE GO-TEST-ARGS...: go test -json, printed like plain go
# test plus every skip, the raw stream saved to FILE for the summary.
gotest() {
	local suite=$1 out=$2
	shift 2
	go test -json "$@" 2>&1 | "$TS" -live -suite "$suite" -o "$out"
}

_jobs=() _pids=() _starts=()

# job NAME CMD...: runs CMD in the background, its output in $LOGS/NAME.log.
job() {
	local name=$1
	shift
	(
		"$@"
		rc=$?
		date +%s >"$LOGS/$name.end"
		exit $rc
	) >"$LOGS/$name.log" 2>&1 &
	_jobs+=("$name") _pids+=($!) _starts+=("$(date +%s)")
	echo "   started $name (log: ${LOGS#"$PWD/"}/$name.log)"
}

# wait_jobs: waits for every job in start order, printing its output and time.
wait_jobs() {
	local i rc name secs
	for i in "${!_pids[@]}"; do
		wait "${_pids[$i]}"
		rc=$? name=${_jobs[$i]}
		secs=$(($(cat "$LOGS/$name.end" 2>/dev/null || date +%s) - _starts[i]))
		echo ">> ---- $name: $( ((rc)) && echo FAILED || echo passed) in ${secs}s; its output:"
		cat "$LOGS/$name.log"
		phases+=("$(printf '%5ds    %s (at once with the other jobs)' "$secs" "$name")")
		((rc == 0)) || failed+=("$name")
	done
	_jobs=() _pids=() _starts=()
}

# report_phases: the time of each phase, then the verdict; exits 1 on failure.
report_phases() {
	local total=$(($(date +%s) - T0))
	echo "== time per phase (wall seconds):"
	printf '%s\n' "${phases[@]}"
	printf '%5ds  total\n' "$total"
	if ((${#failed[@]})); then
		printf '>> FAILED in %ss:' "$total"
		printf ' [%s]' "${failed[@]}"
		echo
		exit 1
	fi
	echo ">> all tests passed in ${total}s"
}
