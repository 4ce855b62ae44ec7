package kafka

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/elastic-agent-libs/logp"
)

// kgoLogger forwards franz-go's log lines to the output's logp logger.
// franz-go logs every request at info level, so its info lines are only
// shown when debug logging is enabled for the "kafka" selector.
type kgoLogger struct{ log *logp.Logger }

func (l kgoLogger) Level() kgo.LogLevel {
	if l.log.IsDebug() {
		return kgo.LogLevelDebug
	}
	return kgo.LogLevelWarn
}

func (l kgoLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	line := "franz-go: " + msg
	for i := 0; i+1 < len(keyvals); i += 2 {
		line += fmt.Sprintf(" %v=%v", keyvals[i], keyvals[i+1])
	}
	switch level {
	case kgo.LogLevelError:
		l.log.Error(line)
	case kgo.LogLevelWarn:
		l.log.Warn(line)
	default:
		l.log.Debug(line)
	}
}
