package host

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// Logger receives the host's and the plugins' log lines; *logp.Logger
// implements it.
type Logger interface {
	Debugw(msg string, kv ...any)
	Infow(msg string, kv ...any)
	Warnw(msg string, kv ...any)
	Errorw(msg string, kv ...any)
}

type stdLogger struct{ l *log.Logger }

// StderrLogger returns a Logger writing to stderr (the default).
func StderrLogger(name string) Logger {
	return stdLogger{log.New(os.Stderr, name+": ", log.LstdFlags)}
}

func (s stdLogger) out(lvl, msg string, kv []any) { s.l.Println(append([]any{lvl, msg}, kv...)...) }
func (s stdLogger) Debugw(msg string, kv ...any)  { s.out("DEBUG", msg, kv) }
func (s stdLogger) Infow(msg string, kv ...any)   { s.out("INFO", msg, kv) }
func (s stdLogger) Warnw(msg string, kv ...any)   { s.out("WARN", msg, kv) }
func (s stdLogger) Errorw(msg string, kv ...any)  { s.out("ERROR", msg, kv) }

// hclogFor returns the hclog.Logger handed to go-plugin: every record (the
// plugin's JSON log lines, its raw stderr, go-plugin's own messages) is
// forwarded to l at its level.
func hclogFor(name string, l Logger) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: "plugin/" + name, Level: hclog.Debug, JSONFormat: true,
		Output: &forwarder{l: l}})
}

type forwarder struct{ l Logger }

func (f *forwarder) Write(p []byte) (int, error) {
	for _, line := range bytes.Split(bytes.TrimSpace(p), []byte{'\n'}) {
		var rec map[string]any
		if json.Unmarshal(line, &rec) != nil {
			f.l.Infow(string(line))
			continue
		}
		lvl, _ := rec["@level"].(string)
		msg, _ := rec["@message"].(string)
		kv := []any{}
		if mod, ok := rec["@module"].(string); ok {
			kv = append(kv, "plugin", strings.TrimPrefix(mod, "plugin/"))
		}
		keys := make([]string, 0, len(rec))
		for k := range rec {
			if !strings.HasPrefix(k, "@") {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			kv = append(kv, k, fmt.Sprint(rec[k]))
		}
		switch lvl {
		case "trace", "debug":
			f.l.Debugw(msg, kv...)
		case "warn":
			f.l.Warnw(msg, kv...)
		case "error":
			f.l.Errorw(msg, kv...)
		default:
			f.l.Infow(msg, kv...)
		}
	}
	return len(p), nil
}

var _ io.Writer = (*forwarder)(nil)
