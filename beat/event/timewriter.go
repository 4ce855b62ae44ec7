package event

import (
	"time"

	"github.com/elastic/beats/v7/libbeat/common"
	"github.com/elastic/beats/v7/libbeat/common/dtfmt"
)

// millisFormat is libbeat's default timestamp format (timestamp.precision:
// millisecond).
const millisFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'"

// TimeWriter writes a timestamp as libbeat writes common.Time to JSON: UTC,
// in the precision the configuration sets (timestamp.precision). With the
// default, milliseconds, it writes the digits itself and formats the date
// once a day; otherwise, and for years outside 1000–9999, it uses libbeat's
// formatter. The precision is read at the first call (libbeat sets it while
// it starts). Not safe for concurrent use: one per encoding goroutine.
// Flow documents (FlowOptions) and output.franz/output.file's encoder
// (beat/outputs/jsonenc) write their timestamps with it.
type TimeWriter struct {
	ts     *dtfmt.Formatter
	millis bool
	// dayText is "2006-01-02T" of the day day (days since 1970).
	dayText [11]byte
	day     int64
	hasDay  bool
}

// Millis reports whether timestamps have libbeat's default precision,
// milliseconds: the digits are then written without libbeat's formatter.
func (w *TimeWriter) Millis() bool {
	w.init()
	return w.millis
}

func (w *TimeWriter) init() {
	if w.ts == nil {
		f := common.TimestampFormat(false)
		w.ts, w.millis = dtfmt.MustNewFormatter(f), f == millisFormat
	}
}

// AppendTime appends t as a JSON string; ok is false when libbeat's
// formatter fails. In the same day as the last call (the usual case: a
// capture's packets), it reads nothing of t but its Unix time: the date's
// text, and the check that the year has four digits, were done for the day.
func (w *TimeWriter) AppendTime(b []byte, t time.Time) ([]byte, bool) {
	w.init()
	if !w.millis {
		return w.appendFormatted(b, t)
	}
	sec := t.Unix()
	day, tod := sec/86400, sec%86400
	if tod < 0 {
		day, tod = day-1, tod+86400
	}
	if !w.hasDay || day != w.day {
		u := t.UTC()
		if y := u.Year(); y < 1000 || y > 9999 {
			return w.appendFormatted(b, t)
		}
		u.AppendFormat(w.dayText[:0], "2006-01-02T")
		w.day, w.hasDay = day, true
	}
	h, m, s, ms := tod/3600, tod/60%60, tod%60, t.Nanosecond()/1e6
	b = append(b, '"')
	b = append(b, w.dayText[:]...)
	return append(b, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':',
		byte('0'+s/10), byte('0'+s%10), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"'), true
}

// appendFormatted writes t with libbeat's formatter: other precisions, and
// years of other than four digits.
func (w *TimeWriter) appendFormatted(b []byte, t time.Time) ([]byte, bool) {
	b = append(b, '"')
	b, err := w.ts.AppendTo(b, t.UTC())
	if err != nil {
		return nil, false
	}
	return append(b, '"'), true
}
