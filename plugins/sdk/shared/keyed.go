package shared

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unsafe"
)

// Keyed answers (protocol 3). A plugin may declare that what it adds to an
// event depends only on a few key fields: geoip's answer for source.ip
// depends on the network the address lies in, timebucket's on @timestamp
// truncated to the hour in its time zone. Each such declaration is a Unit.
// The host then computes each event's key for every unit, answers it from
// its own cache when it can, and asks the plugin (Lookup) only for the keys
// it has not seen, with one representative event per key. The events
// themselves never cross the wire.

// Key kinds: how the host turns a field into (part of) a key.
const (
	// KeyValue keys on the field's value as it is.
	KeyValue = "value"
	// KeyNetwork keys on an IP address, and the answer holds for the whole
	// network the plugin returns with it (Event.SetNetwork; without one,
	// for the address alone). It must be its unit's only key part.
	KeyNetwork = "network"
	// KeyPrefixes keys on which of Prefixes contain an IP address (a
	// missing or invalid address is in none).
	KeyPrefixes = "prefixes"
	// KeyRanges keys on which of Ranges contain a number (a missing value,
	// or one that is not a number, is in none).
	KeyRanges = "ranges"
	// KeyTime keys on @timestamp as wall-clock time in Zone, truncated to
	// Step: every event in the same local hour (Step 1h) has the same key.
	KeyTime = "time"
)

// KeyPart is one field of a unit's key.
type KeyPart struct {
	Field    string         // "source.ip"; "@timestamp" for KeyTime
	Kind     string         // KeyValue, KeyNetwork, KeyPrefixes, KeyRanges or KeyTime
	Prefixes []netip.Prefix // KeyPrefixes: at most 64
	Ranges   [][2]int64     // KeyRanges: inclusive, at most 64
	Step     time.Duration  // KeyTime: a divisor of 24h, at least 1s
	Zone     string         // KeyTime: IANA name; "" is UTC
}

// Unit declares one part of a plugin's work whose answer depends only on
// Key: the host caches its answers by key.
type Unit struct {
	Name string
	Key  []KeyPart
	// Reads lists fields the answer also depends on when an event has
	// them (comment's comment field, which it extends): such an event is
	// looked up with them, and its answer is not cached.
	Reads []string
	// TTL bounds how long an answer is reused (a block list reloaded from
	// disk); 0: until the plugin restarts.
	TTL time.Duration
}

const maxKeyClasses = 64

// ErrUnits is returned when a plugin declares invalid units.
var ErrUnits = errors.New("invalid keyed units")

// Validate checks a unit's declaration.
func (u *Unit) Validate() error {
	if len(u.Key) == 0 {
		return fmt.Errorf("%w: unit %q has no key", ErrUnits, u.Name)
	}
	for _, p := range u.Key {
		switch p.Kind {
		case KeyValue:
		case KeyNetwork:
			if len(u.Key) != 1 {
				return fmt.Errorf("%w: unit %q: a %s key must be the unit's only key part", ErrUnits, u.Name, KeyNetwork)
			}
		case KeyPrefixes:
			if len(p.Prefixes) == 0 || len(p.Prefixes) > maxKeyClasses {
				return fmt.Errorf("%w: unit %q: %s key on %s needs 1 to %d prefixes", ErrUnits, u.Name, p.Kind, p.Field, maxKeyClasses)
			}
		case KeyRanges:
			if len(p.Ranges) == 0 || len(p.Ranges) > maxKeyClasses {
				return fmt.Errorf("%w: unit %q: %s key on %s needs 1 to %d ranges", ErrUnits, u.Name, p.Kind, p.Field, maxKeyClasses)
			}
		case KeyTime:
			if p.Step < time.Second || (24*time.Hour)%p.Step != 0 {
				return fmt.Errorf("%w: unit %q: time step %s must be at least 1s and divide 24h", ErrUnits, u.Name, p.Step)
			}
			if _, err := time.LoadLocation(p.Zone); err != nil {
				return fmt.Errorf("%w: unit %q: time zone %q: %v", ErrUnits, u.Name, p.Zone, err)
			}
		default:
			return fmt.Errorf("%w: unit %q: unknown key kind %q (want value, network, prefixes, ranges or time)", ErrUnits, u.Name, p.Kind)
		}
		if p.Field == "" {
			return fmt.Errorf("%w: unit %q: a key part has no field", ErrUnits, u.Name)
		}
	}
	return nil
}

// unitsValue encodes units as a wire value (ConfigureResponse, protocol 3).
func unitsValue(units []Unit) []any {
	out := make([]any, 0, len(units))
	for _, u := range units {
		parts := make([]any, 0, len(u.Key))
		for _, p := range u.Key {
			ps := make([]string, len(p.Prefixes))
			for i, x := range p.Prefixes {
				ps[i] = x.String()
			}
			rs := make([]any, len(p.Ranges))
			for i, r := range p.Ranges {
				rs[i] = []any{r[0], r[1]}
			}
			parts = append(parts, map[string]any{"field": p.Field, "kind": p.Kind, "prefixes": ps, "ranges": rs,
				"step": int64(p.Step), "zone": p.Zone})
		}
		out = append(out, map[string]any{"name": u.Name, "key": parts, "reads": append([]string{}, u.Reads...), "ttl": int64(u.TTL)})
	}
	return out
}

// unitsFrom decodes units from a wire value and validates them.
func unitsFrom(v any) ([]Unit, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: not a list", ErrUnits)
	}
	units := make([]Unit, 0, len(l))
	for _, x := range l {
		m, _ := x.(map[string]any)
		u := Unit{Name: str(m["name"]), TTL: time.Duration(num(m["ttl"]))}
		if r, _ := m["reads"].([]string); len(r) > 0 {
			u.Reads = r
		}
		parts, _ := m["key"].([]any)
		for _, y := range parts {
			pm, _ := y.(map[string]any)
			p := KeyPart{Field: str(pm["field"]), Kind: str(pm["kind"]), Step: time.Duration(num(pm["step"])), Zone: str(pm["zone"])}
			ps, _ := pm["prefixes"].([]string)
			for _, s := range ps {
				pf, err := netip.ParsePrefix(s)
				if err != nil {
					return nil, fmt.Errorf("%w: unit %q: prefix %q: %v", ErrUnits, u.Name, s, err)
				}
				p.Prefixes = append(p.Prefixes, pf.Masked())
			}
			rs, _ := pm["ranges"].([]any)
			for _, r := range rs {
				pair, _ := r.([]any)
				if len(pair) != 2 {
					return nil, fmt.Errorf("%w: unit %q: a range is not a pair", ErrUnits, u.Name)
				}
				p.Ranges = append(p.Ranges, [2]int64{num(pair[0]), num(pair[1])})
			}
			u.Key = append(u.Key, p)
		}
		if err := u.Validate(); err != nil {
			return nil, err
		}
		units = append(units, u)
	}
	return units, nil
}

func str(v any) string { s, _ := v.(string); return s }

func num(v any) int64 {
	switch t := v.(type) {
	case int64:
		return t
	case uint64:
		return int64(t)
	case float64:
		return int64(t)
	case int:
		return int64(t)
	}
	return 0
}

// Keyer computes the keys of a plugin's units for host-side events.
type Keyer struct {
	Units  []Unit
	locs   [][]*time.Location // per unit, per key part (KeyTime)
	fields []string           // the distinct fields the keys read (not @timestamp)
	part   [][]int            // per unit, per key part: its field's index in fields
}

// NewKeyer validates units and prepares their keys.
func NewKeyer(units []Unit) (*Keyer, error) {
	k := &Keyer{Units: units, locs: make([][]*time.Location, len(units)), part: make([][]int, len(units))}
	for i := range units {
		if err := units[i].Validate(); err != nil {
			return nil, err
		}
		k.locs[i] = make([]*time.Location, len(units[i].Key))
		k.part[i] = make([]int, len(units[i].Key))
		for j, p := range units[i].Key {
			if p.Kind == KeyTime {
				k.locs[i][j], _ = time.LoadLocation(p.Zone)
				k.part[i][j] = -1
				continue
			}
			f := slices.Index(k.fields, p.Field)
			if f < 0 {
				f = len(k.fields)
				k.fields = append(k.fields, p.Field)
			}
			k.part[i][j] = f
		}
	}
	return k, nil
}

// Fields holds the key fields of one event, each read (and parsed as an
// address or a number) once for all units. Reuse it from event to event
// (Reset); it is not safe for concurrent use.
type Fields struct {
	e    *Event
	vals []fieldVal
}

type fieldVal struct {
	read, has bool
	raw       []byte // a string, as it lies in the encoded document or the value
	str       bool   // the value is a string (raw)
	v         any    // the value, when not a string
	addr      netip.Addr
	addrDone  bool
	num       int64
	numOK     bool
	numDone   bool
}

// Reset points f at e.
func (k *Keyer) Reset(f *Fields, e *Event) {
	f.e = e
	if cap(f.vals) < len(k.fields) {
		f.vals = make([]fieldVal, len(k.fields))
	}
	f.vals = f.vals[:len(k.fields)]
	clear(f.vals)
}

func (k *Keyer) val(f *Fields, i int) *fieldVal {
	v := &f.vals[i]
	if v.read {
		return v
	}
	v.read = true
	key := k.fields[i]
	if top, _, dotted := strings.Cut(key, "."); dotted {
		if _, ok := f.e.Fields[top]; !ok {
			if _, ok := f.e.Fields[key]; !ok { // neither {"dns":{…}} nor a literal "dns.question.name"
				return v
			}
		}
	}
	if b, ok := rawString(f.e.Fields, key); ok {
		v.has, v.str, v.raw = true, true, b
		return v
	}
	x, ok := f.e.Fields.GetValue(key)
	if !ok {
		return v
	}
	if rv, raw := x.(RawValue); raw {
		x = rv.Value()
	}
	v.has = true
	if s, ok := x.(string); ok {
		v.str, v.raw = true, unsafe.Slice(unsafe.StringData(s), len(s))
		return v
	}
	v.v = x
	return v
}

// address parses the field as an IP address (invalid: not one).
func (k *Keyer) address(f *Fields, i int) netip.Addr {
	v := k.val(f, i)
	if !v.addrDone {
		v.addrDone = true
		if v.str && len(v.raw) > 0 {
			// The bytes are immutable (an encoded document or a string);
			// ParseAddr keeps no reference to them.
			if a, err := netip.ParseAddr(unsafe.String(&v.raw[0], len(v.raw))); err == nil {
				v.addr = a.Unmap()
			}
		}
	}
	return v.addr
}

func (k *Keyer) number(f *Fields, i int) (int64, bool) {
	v := k.val(f, i)
	if !v.numDone {
		v.numDone = true
		if v.has && !v.str {
			v.num, v.numOK = number(v.v)
		}
	}
	return v.num, v.numOK
}

// Network is the address of a KeyNetwork unit's event, when it has a valid one.
func (k *Keyer) Network(unit int, f *Fields) (netip.Addr, bool) {
	if k.Units[unit].Key[0].Kind != KeyNetwork {
		return netip.Addr{}, false
	}
	a := k.address(f, k.part[unit][0])
	return a, a.IsValid()
}

// Uncacheable says whether e has one of the unit's Reads fields.
func (k *Keyer) Uncacheable(unit int, e *Event) bool {
	for _, f := range k.Units[unit].Reads {
		if _, ok := e.Fields.GetValue(f); ok {
			return true
		}
	}
	return false
}

// AppendKey appends the key of f's event for unit (not for KeyNetwork
// units with a valid address: their key is the network) to b.
func (k *Keyer) AppendKey(b []byte, unit int, f *Fields) []byte {
	b = append(b, byte(unit), byte(unit>>8))
	for j, p := range k.Units[unit].Key {
		fi := k.part[unit][j]
		switch p.Kind {
		case KeyValue, KeyNetwork:
			v := k.val(f, fi)
			switch {
			case v.str:
				b = append(b, 's')
				b = binary.AppendUvarint(b, uint64(len(v.raw)))
				b = append(b, v.raw...)
			case v.has:
				js := appendJSON(nil, v.v)
				b = append(b, 'j')
				b = binary.AppendUvarint(b, uint64(len(js)))
				b = append(b, js...)
			default:
				b = append(b, '-')
			}
		case KeyPrefixes:
			var mask uint64
			if a := k.address(f, fi); a.IsValid() {
				for i, pf := range p.Prefixes {
					if pf.Contains(a) {
						mask |= 1 << i
					}
				}
			}
			b = binary.LittleEndian.AppendUint64(b, mask)
		case KeyRanges:
			var mask uint64
			if n, ok := k.number(f, fi); ok {
				for i, r := range p.Ranges {
					if n >= r[0] && n <= r[1] {
						mask |= 1 << i
					}
				}
			}
			b = binary.LittleEndian.AppendUint64(b, mask)
		case KeyTime:
			ts := f.e.Timestamp
			if ts.IsZero() {
				b = append(b, '-')
				continue
			}
			_, off := ts.In(k.locs[unit][j]).Zone()
			wall := ts.Unix() + int64(off)
			step := int64(p.Step / time.Second)
			q := wall / step
			if wall < 0 && wall%step != 0 {
				q--
			}
			b = binary.AppendVarint(append(b, 't'), q)
		}
	}
	return b
}

// NetKey is the cache key of a KeyNetwork unit's network.
type NetKey struct {
	Unit int
	Net  netip.Prefix
}

// number returns an integer field value (JSON numbers decode as int64,
// uint64 or float64).
func number(v any) (int64, bool) {
	switch t := v.(type) {
	case int64:
		return t, true
	case uint64:
		return int64(t), true
	case float64:
		return int64(t), t == float64(int64(t))
	case int:
		return int64(t), true
	case uint16:
		return int64(t), true
	case uint32:
		return int64(t), true
	case int32:
		return int64(t), true
	}
	return 0, false
}

// Probe makes the representative event of a unit's key: e's timestamp and
// the unit's key and Reads fields, flat, as a projected request carries
// them. Diff then reduces it to what the plugin added.
func (k *Keyer) Probe(unit int, e *Event) *Event {
	u := &k.Units[unit]
	p := &Event{Timestamp: e.Timestamp, Fields: make(M, len(u.Key)+len(u.Reads))}
	add := func(f string) {
		if f == "@timestamp" {
			return
		}
		if _, dup := p.Fields[f]; dup {
			return
		}
		if v, ok := e.Fields.GetValue(f); ok {
			if rv, raw := v.(RawValue); raw {
				v = rv.Value()
			}
			p.Fields[f] = deepCopy(v)
			p.orig = append(p.orig, field{f, p.Fields[f]})
		}
	}
	for _, kp := range u.Key {
		add(kp.Field)
	}
	for _, f := range u.Reads {
		add(f)
	}
	return p
}

// Network is the network a keyed answer holds for (Event.SetNetwork).
func (e *Event) Network() netip.Prefix { return e.network }

// SetNetwork says, in a keyed answer (protocol 3) for a KeyNetwork unit,
// that the answer holds for every address of pf, which contains the
// event's address: the host reuses it for all of them.
func (e *Event) SetNetwork(pf netip.Prefix) { e.network = pf }
