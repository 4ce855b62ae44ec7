package flows

import "hash/maphash"

// index finds a flow by its key. It is an open-addressing hash table with
// linear probing whose slots hold only a 32-bit tag of the key's hash and
// the flow's number in the table's store: 8 bytes a slot, at most half of
// them used, so 1M flows take 16–32 MB of slots instead of the ~70 MB of a
// Go map with the key in its slots (README.md gives the measured effect).
//
// A deleted slot becomes a tombstone; each flow remembers its slot, so
// deleting does not probe. Tombstones go when the slots are rebuilt.
type index struct {
	slots []slot // power-of-two length
	used  int    // live flows
	tombs int    // deleted slots
	seed  maphash.Seed
}

// slot.ref is the flow's number + 2; 0 is an empty slot, 1 a tombstone.
type slot struct {
	tag uint32
	ref uint32
}

const (
	refEmpty = 0
	refTomb  = 1
	minSlots = 1024
)

func newIndex() index {
	return index{slots: make([]slot, minSlots), seed: maphash.MakeSeed()}
}

func (x *index) hash(k *Key) uint64 { return maphash.Comparable(x.seed, *k) }

// find returns the flow with key k (hash h) or nil, and then the slot
// where insert puts it.
func (x *index) find(k *Key, h uint64, s *store) (*Flow, uint32) {
	mask := uint32(len(x.slots) - 1) //nolint:gosec // len ≤ 2^31
	i, tag := uint32(h)&mask, uint32(h>>32)
	free := int64(-1)
	for {
		sl := x.slots[i]
		switch {
		case sl.ref == refEmpty:
			if free < 0 {
				free = int64(i)
			}
			return nil, uint32(free) //nolint:gosec // < len
		case sl.ref == refTomb:
			if free < 0 {
				free = int64(i)
			}
		case sl.tag == tag:
			if f := s.get(sl.ref - 2); f.key == *k {
				return f, i
			}
		}
		i = (i + 1) & mask
	}
}

// insert puts f, whose key hashes to h, in slot i (from find).
func (x *index) insert(i uint32, h uint64, f *Flow, s *store) {
	if x.slots[i].ref == refTomb {
		x.tombs--
	}
	x.slots[i] = slot{tag: uint32(h >> 32), ref: f.id + 2}
	f.slot = i
	x.used++
	if 2*(x.used+x.tombs) > len(x.slots) {
		x.rebuild(s)
	}
}

// remove deletes f from the index.
func (x *index) remove(f *Flow) {
	x.slots[f.slot] = slot{ref: refTomb}
	x.used--
	x.tombs++
}

// rebuild places every live flow again in a slot array of at least four
// slots per flow (and minSlots), without tombstones: it runs when an
// insert would fill half the slots, so the slots grow with the flows, or
// stay the size they were and lose their tombstones.
func (x *index) rebuild(s *store) {
	n := minSlots
	for n < 4*x.used {
		n *= 2
	}
	old := x.slots
	x.slots, x.tombs = make([]slot, n), 0
	mask := uint32(n - 1) //nolint:gosec // n ≤ 2^31
	for _, sl := range old {
		if sl.ref < 2 {
			continue
		}
		f := s.get(sl.ref - 2)
		i := uint32(x.hash(&f.key)) & mask
		for x.slots[i].ref != refEmpty {
			i = (i + 1) & mask
		}
		x.slots[i] = sl
		f.slot = i
	}
}

// store holds the flows in chunks that never move, numbered; the numbers
// of ended flows are reused.
type store struct {
	chunks [][]Flow
	free   []uint32
	n      uint32 // numbers handed out so far
}

const chunkFlows = 4096

func (s *store) get(id uint32) *Flow { return &s.chunks[id/chunkFlows][id%chunkFlows] }

// alloc returns a zeroed flow with its number set.
func (s *store) alloc() *Flow {
	var id uint32
	if n := len(s.free); n > 0 {
		id, s.free = s.free[n-1], s.free[:n-1]
	} else {
		id = s.n
		s.n++
		if int(id/chunkFlows) == len(s.chunks) {
			s.chunks = append(s.chunks, make([]Flow, chunkFlows))
		}
	}
	f := s.get(id)
	f.id = id
	return f
}

// release zeroes f (dropping what it refers to) and keeps its number for
// reuse.
func (s *store) release(f *Flow) {
	id := f.id
	*f = Flow{}
	s.free = append(s.free, id)
}
