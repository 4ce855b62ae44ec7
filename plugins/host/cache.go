package host

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/netbeat/netbeat/plugins/internal/shared"
)

// cache holds a keyed plugin's answers (protocol 3) by key, at most size of
// them, evicted by the clock algorithm (second chance): a slot used since
// the hand last passed survives one more turn. Answers of a KeyNetwork unit
// are stored under their network; the cache remembers which prefix lengths
// each unit has, so that a lookup tries only those.
type cache struct {
	mu    sync.Mutex
	size  int
	m     map[string]int // key -> slot
	slots []slot
	hand  int
	lens  map[int]*[129]bool // unit -> prefix lengths present (KeyNetwork units)
	order map[int][]int      // unit -> those lengths, longest first

	hits, misses, evictions atomic.Uint64
}

type slot struct {
	key     string
	a       *shared.Answer
	expires int64 // unix ns; 0: never
	used    bool
}

func newCache(size int) *cache {
	return &cache{size: size, m: make(map[string]int, min(size, 1<<16)),
		lens: map[int]*[129]bool{}, order: map[int][]int{}}
}

// get returns the answer stored under key (callers hold mu).
func (c *cache) get(key []byte, now int64) *shared.Answer {
	i, ok := c.m[string(key)]
	if !ok {
		return nil
	}
	s := &c.slots[i]
	if s.expires != 0 && now >= s.expires {
		return nil
	}
	s.used = true
	return s.a
}

// put stores a under key (callers hold mu), evicting when full.
func (c *cache) put(key string, a *shared.Answer, ttl time.Duration, now int64) {
	var exp int64
	if ttl > 0 {
		exp = now + int64(ttl)
	}
	if i, ok := c.m[key]; ok {
		c.slots[i] = slot{key: key, a: a, expires: exp}
		return
	}
	if len(c.slots) < c.size {
		c.m[key] = len(c.slots)
		c.slots = append(c.slots, slot{key: key, a: a, expires: exp})
		return
	}
	for { // clock: find a slot not used since the hand last passed
		s := &c.slots[c.hand]
		if !s.used || s.expires != 0 && now >= s.expires {
			break
		}
		s.used = false
		c.hand = (c.hand + 1) % len(c.slots)
	}
	delete(c.m, c.slots[c.hand].key)
	c.evictions.Add(1)
	c.slots[c.hand] = slot{key: key, a: a, expires: exp}
	c.m[key] = c.hand
	c.hand = (c.hand + 1) % len(c.slots)
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

// clear empties the cache (the plugin restarted: its data may have changed).
func (c *cache) clear() {
	c.mu.Lock()
	clear(c.m)
	c.slots, c.hand = c.slots[:0], 0
	clear(c.lens)
	clear(c.order)
	c.mu.Unlock()
}
