package event

import (
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/elastic/go-structform"
)

// maxMembers bounds the top-level keys of a Doc (a packet event has at most 9).
const maxMembers = 10

// Doc is an event's own fields encoded once, as the JSON object Body, by the
// capture goroutine. Its top-level members are also reachable one by one
// (Member), so that a Doc can travel through libbeat's pipeline as the values
// of an ordinary event map (Fields):
//
//   - output.franz copies each Member's bytes into the record as they are;
//   - every other output (file, console, Elasticsearch, Logstash, sarama)
//     encodes a Member through go-structform's Folder interface, or
//     encoding/json's Marshaler, and gets the same document.
//
// A Doc is immutable once built. Processors that read or change fields need
// real maps: netbeat then builds events with Map (see beat/worker.go).
type Doc struct {
	Body    []byte
	id      DocID    // @metadata._id (docid.go); zero when netbeat.event_id is off
	spans   spans    // where writePacket put the members
	members []Member // made by the first Members call (the builder's goroutine, or the one encoder a bundle goes to): bundled documents mostly never need them; set by AddFields
}

// Member is one top-level key of a Doc and its encoded value.
type Member struct {
	Key string
	raw []byte
}

// Raw is the member's encoded JSON value; it must not be modified.
func (m *Member) Raw() []byte { return m.raw }

// MarshalJSON returns the encoded value (encoding/json, mapstr.M.String).
func (m *Member) MarshalJSON() ([]byte, error) { return m.Raw(), nil }

// Fold replays the encoded value to a go-structform visitor: the path of
// libbeat's JSON codec and of its Elasticsearch and Logstash outputs.
func (m *Member) Fold(v structform.ExtVisitor) error {
	_, err := foldValue(m.Raw(), 0, v)
	return err
}

// Value decodes the member into normalized libbeat values (mapstr.M, string,
// int64/uint64, bool, []interface{}).
func (m *Member) Value() interface{} {
	v, _ := decodeValue(m.Raw(), 0)
	return v
}

// CommunityID is the document's network.community_id (a slice of Body, not
// a copy), or nil.
func (d *Doc) CommunityID() []byte {
	c := d.spans.cid
	if c[1] <= c[0] {
		return nil
	}
	return d.Body[c[0]:c[1]:c[1]]
}

// Members lists the top-level members in document order.
func (d *Doc) Members() []Member {
	if d.members == nil {
		sp := &d.spans
		if sp.n == 0 && len(d.Body) > 2 { // made by Bundle.AddFields: read the body
			d.members = bodyMembers(d.Body)
			return d.members
		}
		d.members = make([]Member, sp.n)
		for i := 0; i < sp.n; i++ {
			d.members[i] = Member{Key: memberNames[sp.name[i]], raw: d.Body[sp.start[i]:sp.stop[i]:sp.stop[i]]}
		}
	}
	return d.members
}

// Fields returns the event map of the Doc: one entry per top-level member.
// extra sizes the map for the fields libbeat adds (agent, ecs, host, …).
func (d *Doc) Fields(extra int) mapstr.M {
	ms := d.Members()
	m := make(mapstr.M, len(ms)+extra)
	for i := range ms {
		m[ms[i].Key] = &ms[i]
	}
	return m
}

// Map decodes the whole Doc into a mapstr.M, for processors and plugins.
func (d *Doc) Map() mapstr.M {
	ms := d.Members()
	m := make(mapstr.M, len(ms))
	for i := range ms {
		m[ms[i].Key] = ms[i].Value()
	}
	return m
}

// arenaChunk is the size of the buffers Doc bodies are cut from: one
// allocation for about a hundred packet events instead of one each. A chunk
// is freed when the last event cut from it is.
const arenaChunk = 64 << 10

// arena hands out the unused tail of the current chunk. A bundle's arena
// keeps its chunks (reuse) and starts over in them when the bundle is reused
// (reset): bundled documents then cost no allocation at all.
type arena struct {
	free   []byte
	reuse  bool     // keep chunks and reuse them after reset (a Bundle's arena)
	chunks [][]byte // kept chunks; next is the first one not handed out
	next   int
}

// get returns an empty buffer at the start of the free space.
func (a *arena) get() []byte {
	if cap(a.free) < 4096 {
		a.free = a.chunk()
	}
	return a.free[:0]
}

func (a *arena) chunk() []byte {
	if !a.reuse {
		return make([]byte, 0, arenaChunk)
	}
	if a.next == len(a.chunks) {
		a.chunks = append(a.chunks, make([]byte, 0, arenaChunk))
	}
	a.next++
	return a.chunks[a.next-1][:0]
}

// reset makes every kept chunk free again: only once nothing refers to the
// documents cut from them.
func (a *arena) reset() { a.free, a.next = nil, 0 }

// start begins a document body: '{' at the start of the free space.
func (a *arena) start() []byte { return append(a.get(), '{') }

// finish closes the body begun by start, gives it to d and marks it used.
func (a *arena) finish(d *Doc, b []byte) {
	b = append(b, '}')
	d.Body = b[:len(b):len(b)]
	a.keep(d.Body)
}

// keep marks body (a buffer from get, possibly grown elsewhere) as used.
func (a *arena) keep(body []byte) {
	if len(body) > 0 && len(body) <= cap(a.free) && &body[0] == &a.free[:1][0] {
		a.free = a.free[len(body):len(body)]
	}
}

// bodyMembers lists the top-level members of an encoded object.
func bodyMembers(body []byte) []Member {
	var ms []Member
	for i := 1; i < len(body) && body[i] != '}'; {
		if body[i] == ',' {
			i++
		}
		k, n, err := readString(body, i)
		if err != nil || n >= len(body) || body[n] != ':' {
			break
		}
		j := skipValue(body, n+1)
		ms = append(ms, Member{Key: k, raw: body[n+1 : j : j]})
		i = j
	}
	return ms
}
