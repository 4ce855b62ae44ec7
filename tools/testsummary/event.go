package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// event is one line of `go test -json` (cmd/test2json), plus the build
// events go test adds (Action "build-output"/"build-fail", ImportPath).
type event struct {
	Time        time.Time
	Action      string
	Package     string
	Test        string
	Elapsed     float64
	Output      string
	ImportPath  string
	FailedBuild string
}

// readEvents calls fn for each JSON line of r. A line that is not JSON (go
// vet or cgo noise on stderr merged in, a crash message) is passed on as
// package-less output so nothing printed is lost.
func readEvents(r io.Reader, fn func(event)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fn(event{Action: "output", Output: string(line) + "\n"})
			continue
		}
		fn(e)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading go test -json output failed: %w", err)
	}
	return nil
}

// isMarker reports the lines go test -v adds around each test's own output
// (=== RUN, === PAUSE, === CONT, === NAME): noise when a failure is printed.
func isMarker(s string) bool {
	return strings.HasPrefix(s, "=== ")
}
