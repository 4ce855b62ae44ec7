package host

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netbeat/netbeat/plugins/sdk/shared"
)

// cache holds a keyed plugin's answers (protocol 3) by key, at most size of
// them, evicted by the clock algorithm (second chance): a slot used since
// the hand last passed survives one more turn. Answers of a KeyNetwork unit
// are stored under their network; the cache remembers which prefix lengths
// each unit has, so that a lookup tries only those.
type cache struct {
	mu    sync.Mutex
	size  int
	m     map[string]int        // key -> slot
	nets  map[shared.NetKey]int // KeyNetwork units: network -> slot
	slots []slot
	hand  int
	lens  map[int]*[129]bool   // unit -> prefix lengths present (KeyNetwork units)
	order map[int][]int        // unit -> those lengths, the most hit first
	used  map[int]*[129]uint32 // unit -> hits per length, since the last reordering
	tried uint32               // network hits since the last reordering

	hits, misses, evictions atomic.Uint64
}

type slot struct {
	key     string
	nk      shared.NetKey // with net
	net     bool
	a       *shared.Answer
	expires int64 // unix ns; 0: never
	used    bool
}

func newCache(size int) *cache {
	return &cache{size: size, m: make(map[string]int, min(size, 1<<12)), nets: make(map[shared.NetKey]int, min(size, 1<<12)),
		lens: map[int]*[129]bool{}, order: map[int][]int{}, used: map[int]*[129]uint32{}}
}

// get returns the answer stored under key (callers hold mu).
func (c *cache) get(key []byte, now int64) *shared.Answer {
	i, ok := c.m[string(key)]
	if !ok {
		return nil
	}
	return c.at(i, now)
}

// getNet returns the answer stored for a network (callers hold mu).
func (c *cache) getNet(k shared.NetKey, now int64) *shared.Answer {
	i, ok := c.nets[k]
	if !ok {
		return nil
	}
	return c.at(i, now)
}

func (c *cache) at(i int, now int64) *shared.Answer {
	s := &c.slots[i]
	if s.expires != 0 && now >= s.expires {
		return nil
	}
	s.used = true
	return s.a
}

// put stores a under key (callers hold mu), evicting when full.
func (c *cache) put(key string, a *shared.Answer, ttl time.Duration, now int64) {
	if i, ok := c.m[key]; ok {
		c.slots[i] = slot{key: key, a: a, expires: expiry(ttl, now)}
		return
	}
	c.m[key] = c.free(now, slot{key: key, a: a, expires: expiry(ttl, now)})
}

// putNet stores a under a network (callers hold mu), evicting when full.
func (c *cache) putNet(k shared.NetKey, a *shared.Answer, ttl time.Duration, now int64) {
	if i, ok := c.nets[k]; ok {
		c.slots[i] = slot{nk: k, net: true, a: a, expires: expiry(ttl, now)}
		return
	}
	c.nets[k] = c.free(now, slot{nk: k, net: true, a: a, expires: expiry(ttl, now)})
	c.addLen(k.Unit, k.Net.Bits())
}

func expiry(ttl time.Duration, now int64) int64 {
	if ttl > 0 {
		return now + int64(ttl)
	}
	return 0
}

// free stores s in a free slot, or in the one the clock evicts, and
// returns its number.
func (c *cache) free(now int64, s slot) int {
	if len(c.slots) < c.size {
		c.slots = append(c.slots, s)
		return len(c.slots) - 1
	}
	for { // clock: find a slot not used since the hand last passed
		o := &c.slots[c.hand]
		if !o.used || o.expires != 0 && now >= o.expires {
			break
		}
		o.used = false
		c.hand = (c.hand + 1) % len(c.slots)
	}
	if o := &c.slots[c.hand]; o.net {
		delete(c.nets, o.nk)
	} else {
		delete(c.m, o.key)
	}
	c.evictions.Add(1)
	i := c.hand
	c.slots[i] = s
	c.hand = (c.hand + 1) % len(c.slots)
	return i
}

// addLen records that unit has an answer for a network of bits bits.
func (c *cache) addLen(unit, bits int) {
	l := c.lens[unit]
	if l == nil {
		l = new([129]bool)
		c.lens[unit] = l
	}
	if l[bits] {
		return
	}
	l[bits] = true
	var o []int
	for b := 128; b >= 0; b-- {
		if l[b] {
			o = append(o, b)
		}
	}
	c.order[unit] = o
}

// hitNet counts a hit of unit's networks of bits bits; every 4,096 hits
// the lengths are reordered, the most hit first, so that a lookup tries
// the likely one first (any order is right: every stored answer holds for
// its whole network).
func (c *cache) hitNet(unit, bits int) {
	u := c.used[unit]
	if u == nil {
		u = new([129]uint32)
		c.used[unit] = u
	}
	u[bits]++
	if c.tried++; c.tried < 4096 {
		return
	}
	c.tried = 0
	for unit, o := range c.order {
		if u := c.used[unit]; u != nil {
			slices.SortStableFunc(o, func(a, b int) int { return int(u[b]) - int(u[a]) })
			clear(u[:])
		}
	}
}

// len is the number of answers held.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.slots)
}

// clear empties the cache (the plugin restarted: its data may have changed).
func (c *cache) clear() {
	c.mu.Lock()
	clear(c.m)
	clear(c.nets)
	c.slots, c.hand = c.slots[:0], 0
	clear(c.lens)
	clear(c.order)
	clear(c.used)
	c.mu.Unlock()
}
