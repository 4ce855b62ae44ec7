package consume

import (
	"context"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

// tracker follows every record from poll to acknowledgement, per
// partition, and decides what may be committed: a partition's offset
// advances only over records whose events the output acknowledged (or that
// went to the dead-letter topic), in offset order, so a commit never
// covers an event that could still be lost (at-least-once end to end).
//
// A partition's state lives from its assignment to its revocation; records
// of an earlier assignment that are acknowledged late change nothing (the
// partition's new owner redelivers them, and their ids make the
// redelivery harmless). All methods are safe for concurrent use: the poll
// loop adds, libbeat's ACK goroutine and the dead-letter producer mark
// records done, the commit loop and the rebalance callbacks read.
type tracker struct {
	mu       sync.Mutex
	room     *sync.Cond
	parts    map[topicPartition]*partState
	inflight int
}

type topicPartition struct {
	topic string
	part  int32
}

// partState is one assigned partition.
type partState struct {
	q         []*pending      // polled, not done, in offset order (done ones until the head reaches them)
	commit    kgo.EpochOffset // next offset to commit: the one after the last done record of the unbroken run
	dirty     bool            // commit moved since the last successful commit
	committed int64           // last committed offset (-1: none by this instance)
	consumed  int64           // the offset after the last record polled (-1: none)
	hw        int64           // high watermark seen in the last fetch (-1: none)
	revoked   bool
}

// pending is one polled record.
type pending struct {
	ps     *partState
	offset int64
	epoch  int32
	done   bool
}

func newTracker() *tracker {
	t := &tracker{parts: map[topicPartition]*partState{}}
	t.room = sync.NewCond(&t.mu)
	return t
}

func newPartState() *partState {
	return &partState{commit: kgo.EpochOffset{Epoch: -1, Offset: -1}, committed: -1, consumed: -1, hw: -1}
}

// assign starts fresh state for newly assigned partitions.
func (t *tracker) assign(assigned map[string][]int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for topic, ps := range assigned {
		for _, p := range ps {
			if old := t.parts[topicPartition{topic, p}]; old != nil {
				old.revoked = true
			}
			t.parts[topicPartition{topic, p}] = newPartState()
		}
	}
}

// revoke ends the state of revoked (or lost) partitions and returns the
// offsets still to commit for them.
func (t *tracker) revoke(revoked map[string][]int32) map[string]map[int32]kgo.EpochOffset {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string]map[int32]kgo.EpochOffset{}
	for topic, ps := range revoked {
		for _, p := range ps {
			tp := topicPartition{topic, p}
			s := t.parts[tp]
			if s == nil {
				continue
			}
			if s.dirty {
				if out[topic] == nil {
					out[topic] = map[int32]kgo.EpochOffset{}
				}
				out[topic][p] = s.commit
			}
			s.revoked = true
			delete(t.parts, tp)
		}
	}
	return out
}

// add records a polled record; it must be marked done exactly once.
func (t *tracker) add(r *kgo.Record) *pending {
	t.mu.Lock()
	defer t.mu.Unlock()
	tp := topicPartition{r.Topic, r.Partition}
	s := t.parts[tp]
	if s == nil { // no assignment callback yet (or a direct assignment)
		s = newPartState()
		t.parts[tp] = s
	}
	if s.committed < 0 {
		s.committed = r.Offset // where the group's committed offset made this assignment start
	}
	e := &pending{ps: s, offset: r.Offset, epoch: r.LeaderEpoch}
	s.q = append(s.q, e)
	s.consumed = r.Offset + 1
	t.inflight++
	return e
}

// done marks a record done: its event was acknowledged, or it went to the
// dead-letter topic (or was only counted).
func (t *tracker) done(e *pending) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.inflight--
	t.room.Broadcast()
	e.done = true
	s := e.ps
	if s.revoked {
		return
	}
	n := 0
	for n < len(s.q) && s.q[n].done {
		n++
	}
	if n == 0 {
		return
	}
	last := s.q[n-1]
	s.commit, s.dirty = kgo.EpochOffset{Epoch: last.epoch, Offset: last.offset + 1}, true
	clear(s.q[:n])
	s.q = s.q[n:]
}

// waitRoom blocks until fewer than max records are in flight (or ctx ends)
// and returns how many more may be polled.
func (t *tracker) waitRoom(ctx context.Context, max int) int {
	stop := context.AfterFunc(ctx, func() {
		t.mu.Lock()
		t.room.Broadcast()
		t.mu.Unlock()
	})
	defer stop()
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.inflight >= max && ctx.Err() == nil {
		t.room.Wait()
	}
	return max - t.inflight
}

// inFlight is the number of records polled and not done.
func (t *tracker) inFlight() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.inflight
}

// commits returns the offsets that moved since the last commit.
func (t *tracker) commits() map[string]map[int32]kgo.EpochOffset {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out map[string]map[int32]kgo.EpochOffset
	for tp, s := range t.parts {
		if !s.dirty {
			continue
		}
		if out == nil {
			out = map[string]map[int32]kgo.EpochOffset{}
		}
		if out[tp.topic] == nil {
			out[tp.topic] = map[int32]kgo.EpochOffset{}
		}
		out[tp.topic][tp.part] = s.commit
	}
	return out
}

// committed records a successful commit of offs.
func (t *tracker) committed(offs map[string]map[int32]kgo.EpochOffset) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for topic, ps := range offs {
		for p, eo := range ps {
			if s := t.parts[topicPartition{topic, p}]; s != nil {
				s.committed = eo.Offset
				if s.commit.Offset == eo.Offset {
					s.dirty = false
				}
			}
		}
	}
}

// highWatermark records the high watermark of a fetched partition.
func (t *tracker) highWatermark(topic string, part int32, hw int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.parts[topicPartition{topic, part}]; s != nil && hw >= 0 {
		s.hw = hw
	}
}

// partitionStats is what /stats shows of one assigned partition.
type partitionStats struct {
	topic                                string
	part                                 int32
	lag, consumerLag, committed, hw, inq int64
}

// stats lists the assigned partitions. lag is the high watermark minus the
// committed offset (what a restart would read again or has not read yet),
// consumer_lag the high watermark minus the next offset polled.
func (t *tracker) stats() []partitionStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]partitionStats, 0, len(t.parts))
	for tp, s := range t.parts {
		ps := partitionStats{topic: tp.topic, part: tp.part, committed: s.committed, hw: s.hw, inq: int64(len(s.q))}
		if s.hw >= 0 {
			ps.lag = s.hw - max(s.committed, 0)
			ps.consumerLag = s.hw - max(s.consumed, s.committed, 0)
		}
		out = append(out, ps)
	}
	return out
}
