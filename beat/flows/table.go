package flows

import (
	"net/netip"
	"sync"
	"time"

	"github.com/netbeat/netbeat/beat/decode"
)

// Config bounds and paces a Table. Zero values take the defaults.
type Config struct {
	IdleTimeout  time.Duration // end a flow after no packet for this long (default 30s)
	CloseTimeout time.Duration // linger after FIN/FIN or RST to count trailing packets (default 2s)
	Period       time.Duration // interim report interval for active flows; <0 disables (default 10s)
	MaxFlows     int           // table capacity; the least recently seen flow is evicted (default 100000)
	Seed         uint16        // Community ID seed (default 0)
}

func (c Config) withDefaults() Config {
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Second
	}
	if c.CloseTimeout <= 0 {
		c.CloseTimeout = 2 * time.Second
	}
	if c.Period == 0 {
		c.Period = 10 * time.Second
	}
	if c.MaxFlows <= 0 {
		c.MaxFlows = 100000
	}
	return c
}

// Stats counts table activity. Fields only grow except Active.
type Stats struct {
	Created uint64
	Ended   map[string]uint64 // by end reason
	Evicted uint64
	Reports uint64 // interim records
	NonIP   uint64 // packets that carry no flow (ARP, ...)
	Active  int
}

// Table is a bounded flow table ordered by last activity.
type Table struct {
	mu         sync.Mutex
	cfg        Config
	idx        index // key → flow
	store      store // the flows
	head, tail *Flow // least → most recently seen
	emit       func(*Flow)
	closing    []*Flow // flows after FIN/FIN or RST, oldest first, from closingAt on
	closingAt  int     // queue head: closing[:closingAt] are done (nil)
	frags      map[fragKey][2]uint16
	nextReport time.Time
	now        time.Time
	stats      Stats
}

// NewTable returns a table that hands every interim and final record to emit.
func NewTable(cfg Config, emit func(*Flow)) *Table {
	cfg = cfg.withDefaults()
	return &Table{cfg: cfg, idx: newIndex(), emit: emit, stats: Stats{Ended: map[string]uint64{}}}
}

// Update accounts one decoded packet. Its timestamp drives the table's clock.
func (t *Table) Update(p *decode.Packet) {
	tu, ok := TupleOf(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	if !ok {
		t.stats.NonIP++
		return
	}
	if p.Flags&decode.HasFragment != 0 {
		tu = t.fragment(tu, p)
	}
	ts := p.Timestamp
	t.advance(ts)
	k := keyOf(tu, p)
	h := t.idx.hash(&k)
	f, at := t.idx.find(&k, h, &t.store)
	if f == nil {
		if t.idx.used >= t.cfg.MaxFlows {
			t.end(t.head, EndEvicted)
			t.stats.Evicted++ // its slot becomes a tombstone: at stays a free slot on k's probe path
		}
		f = t.store.alloc()
		f.key, f.Start, f.Tuple = k, ts, tu
		if p.Flags&decode.HasTCP != 0 && p.TCP.SYN && p.TCP.ACK { // we missed the SYN: the sender is the responder
			f.Tuple = reverse(tu)
		}
		f.CommunityID = tu.CommunityID(t.cfg.Seed)
		for i := 0; i < p.NVLAN; i++ {
			f.VLANs = append(f.VLANs, p.VLANs[i].VLANIdentifier)
		}
		t.idx.insert(at, h, f, &t.store)
		t.stats.Created++
	} else {
		t.unlink(f)
	}
	t.pushBack(f)
	dir := 0
	if tu.Src != f.Tuple.Src || tu.SPort != f.Tuple.SPort {
		dir = 1
	}
	f.Packets[dir]++
	f.Bytes[dir] += uint64(p.Length)
	if ts.After(f.Last) {
		f.Last = ts
	}
	f.dirty = true
	if p.Flags&decode.HasTCP != 0 {
		fl := tcpFlags(p)
		f.TCPFlags |= fl
		if fl&FlagFIN != 0 {
			f.fin[dir] = true
		}
		if !f.closing && (fl&FlagRST != 0 || f.fin[0] && f.fin[1]) {
			f.closing = true
			f.closeAt = ts.Add(t.cfg.CloseTimeout)
			t.closing = append(t.closing, f)
			f.EndReason = EndFIN
			if fl&FlagRST != 0 {
				f.EndReason = EndRST
			}
		}
	}
}

// maxFragments bounds the fragment-id → ports map; it is cleared when full.
const maxFragments = 8192

type fragKey struct {
	src, dst netip.Addr
	id       uint32
	proto    uint8
}

// fragment gives later fragments the ports of their first fragment, so a
// fragmented datagram counts in its 5-tuple flow.
func (t *Table) fragment(tu Tuple, p *decode.Packet) Tuple {
	k := fragKey{tu.Src, tu.Dst, p.FragID, tu.Proto}
	if p.FragOffset == 0 {
		if !tu.NoPorts {
			if t.frags == nil || len(t.frags) >= maxFragments {
				t.frags = make(map[fragKey][2]uint16, 64)
			}
			t.frags[k] = [2]uint16{tu.SPort, tu.DPort}
		}
		return tu
	}
	if ports, ok := t.frags[k]; ok {
		tu.SPort, tu.DPort, tu.NoPorts = ports[0], ports[1], false
		if !p.FragMore {
			delete(t.frags, k)
		}
	}
	return tu
}

func reverse(t Tuple) Tuple {
	t.Src, t.Dst, t.SPort, t.DPort = t.Dst, t.Src, t.DPort, t.SPort
	return t
}

func tcpFlags(p *decode.Packet) uint8 {
	c := &p.TCP
	var f uint8
	for i, b := range []bool{c.FIN, c.SYN, c.RST, c.PSH, c.ACK, c.URG, c.ECE, c.CWR} {
		if b {
			f |= 1 << i
		}
	}
	return f
}

// Do runs fn with the table locked, as the emit callback runs: fn may use
// what emit uses without a lock of its own.
func (t *Table) Do(fn func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fn()
}

// Advance moves the clock to now (if later): it ends idle and closed flows
// and emits interim reports when a period has passed.
func (t *Table) Advance(now time.Time) {
	t.mu.Lock()
	t.advance(now)
	t.mu.Unlock()
}

func (t *Table) advance(now time.Time) {
	if !now.After(t.now) {
		return
	}
	t.now = now
	idleBefore := now.Add(-t.cfg.IdleTimeout)
	for f := t.head; f != nil && f.Last.Before(idleBefore); f = t.head {
		reason := EndIdle
		if f.closing {
			reason = f.EndReason
		}
		t.end(f, reason)
	}
	// Closing flows queue in closeAt order (all linger the same CloseTimeout).
	// A queue with a moving head: compacting on every call was quadratic with
	// hundreds of thousands of flows lingering at once (issue #7 memory test).
	for t.closingAt < len(t.closing) && !now.Before(t.closing[t.closingAt].closeAt) {
		f := t.closing[t.closingAt]
		if !f.Final {
			t.end(f, f.EndReason)
		}
		t.store.release(f) // ended, and out of the queue: nothing refers to it now
		t.closing[t.closingAt] = nil
		t.closingAt++
	}
	switch {
	case t.closingAt == len(t.closing):
		t.closing, t.closingAt = t.closing[:0], 0
	case t.closingAt >= 4096 && 2*t.closingAt >= len(t.closing): // amortised O(1) per flow
		n := copy(t.closing, t.closing[t.closingAt:])
		clear(t.closing[n:])
		t.closing, t.closingAt = t.closing[:n], 0
	}
	if t.cfg.Period > 0 {
		if t.nextReport.IsZero() {
			t.nextReport = now.Add(t.cfg.Period)
		} else if !now.Before(t.nextReport) {
			for f := t.head; f != nil; f = f.nxt {
				if f.dirty {
					f.dirty = false
					t.stats.Reports++
					t.emit(f)
				}
			}
			t.nextReport = now.Add(t.cfg.Period)
		}
	}
}

// Flush ends every flow, e.g. when the capture ends. Flows already closing
// keep their fin/rst reason; the others end with reason.
func (t *Table) Flush(reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for f := t.head; f != nil; f = t.head {
		r := reason
		if f.closing {
			r = f.EndReason
		}
		t.end(f, r)
	}
	for _, f := range t.closing[t.closingAt:] {
		t.store.release(f) // every flow has ended now
	}
	clear(t.closing)
	t.closing, t.closingAt = t.closing[:0], 0
}

func (t *Table) end(f *Flow, reason string) {
	t.unlink(f)
	t.idx.remove(f)
	f.Final = true
	f.EndReason = reason
	t.stats.Ended[reason]++
	t.emit(f)
	if !f.closing { // a closing flow is freed when it leaves the closing queue
		t.store.release(f)
	}
}

// Stats returns a copy of the counters.
func (t *Table) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.stats
	s.Ended = make(map[string]uint64, len(t.stats.Ended))
	for k, v := range t.stats.Ended {
		s.Ended[k] = v
	}
	s.Active = t.idx.used
	return s
}

func (t *Table) unlink(f *Flow) {
	if f.prev != nil {
		f.prev.nxt = f.nxt
	} else {
		t.head = f.nxt
	}
	if f.nxt != nil {
		f.nxt.prev = f.prev
	} else {
		t.tail = f.prev
	}
	f.prev, f.nxt = nil, nil
}

func (t *Table) pushBack(f *Flow) {
	f.prev = t.tail
	if t.tail != nil {
		t.tail.nxt = f
	} else {
		t.head = f
	}
	t.tail = f
}
