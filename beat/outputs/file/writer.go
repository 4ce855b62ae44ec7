package file

import (
	"time"

	"github.com/elastic/beats/v7/libbeat/outputs"
	"github.com/elastic/elastic-agent-libs/file"
	"github.com/elastic/elastic-agent-libs/logp"
)

// chunkMax bounds the bytes collected before a write.
const chunkMax = 1 << 20

// writer collects lines and hands them to the rotator in as few writes as
// possible while the files come out as libbeat's file output (one write
// per line) makes them: a line the rotator would rotate before (sizeModel)
// is written on its own, so every file holds the same lines.
type writer struct {
	rot     *file.Rotator
	lines   sizeModel
	st      outputs.Observer
	log     *logp.Logger
	buf     []byte
	n       int // lines in buf
	dropped int // lines of this batch dropped
}

func (w *writer) begin() { w.buf, w.n, w.dropped = w.buf[:0], 0, 0 }

// line takes the line just appended at buf[start:] (newline included).
func (w *writer) line(start int) {
	l := uint(len(w.buf) - start) //nolint:gosec // non-negative
	if l > w.lines.max || w.lines.alone(l) {
		// Larger than a file: the rotator refuses it (counted as libbeat
		// counts it). Else the rotator rotates before it.
		w.write(w.buf[:start], w.n)
		w.write(w.buf[start:], 1)
		w.buf, w.n = w.buf[:0], 0
		return
	}
	w.n++
	if len(w.buf) >= chunkMax {
		w.flush()
	}
}

// flush writes the lines collected.
func (w *writer) flush() {
	w.write(w.buf, w.n)
	w.buf, w.n = w.buf[:0], 0
}

func (w *writer) write(b []byte, lines int) {
	if lines == 0 {
		return
	}
	begin := time.Now()
	if _, err := w.rot.Write(b); err != nil {
		w.st.WriteError(err)
		w.log.Errorf("Writing %d events to file failed with: %+v", lines, err)
		w.dropped += lines
		return
	}
	w.st.WriteBytes(len(b))
	w.st.ReportLatency(time.Since(begin))
}

// sizeModel follows the size trigger of libbeat's rotator
// (elastic-agent-libs/file) as libbeat's file output drives it, one write
// per line: the first write opens the file (a rotate_on_startup rotation
// happens then, before it) and is not counted; a line that would take the
// file past max makes it rotate first, resets the count and is not counted
// either; other lines are counted.
type sizeModel struct {
	max    uint
	size   uint
	opened bool
}

// alone reports whether the rotator, given the line (l bytes) on its own,
// opens or rotates the file before it: the line must then be written on its
// own for the count to stay the same.
func (m *sizeModel) alone(l uint) bool {
	if !m.opened {
		m.opened = true
		return true
	}
	if m.size+l > m.max {
		m.size = 0
		return true
	}
	m.size += l
	return false
}
