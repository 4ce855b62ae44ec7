package shared

import (
	"context"
	"fmt"
	"net/netip"

	"google.golang.org/grpc"
)

// Lookup (protocol 3): the host asks a keyed plugin for the answers to the
// keys it has not cached, one representative event per key.

// Lookuper is implemented by a Processor that answers keyed lookups
// (plugins/sdk's adapter, for a plugin that declares units).
type Lookuper interface {
	// Lookup adds to each probe what its unit adds, reduced to the changes
	// (Diff). units[i] is probes[i]'s unit.
	Lookup(ctx context.Context, units []int, probes []*Event) ([]*Event, error)
}

// LookupRequest carries the probes and their units.
type LookupRequest struct {
	Units  []int
	Probes []*Event
}

// LookupResponse carries one answer per probe, in order.
type LookupResponse struct {
	Err     string
	Answers []*Event // fields added (deleted must be empty); Network for KeyNetwork units
}

func (m *LookupRequest) sizeHint() int { return 16 + 64*len(m.Probes) }

func (m *LookupRequest) marshal(b []byte) []byte {
	b = putUvarint(b, uint64(len(m.Probes)))
	for i, e := range m.Probes {
		b = putUvarint(b, uint64(m.Units[i]))
		b = putEvent(b, e, nil)
	}
	return b
}

func (m *LookupRequest) unmarshal(r *reader) {
	n := r.count()
	for i := 0; i < n && r.err == nil; i++ {
		u := r.uvarint()
		if u > 1<<16 {
			r.fail()
			return
		}
		m.Units = append(m.Units, int(u))
		m.Probes = append(m.Probes, r.event())
	}
}

func (m *LookupResponse) sizeHint() int { return 16 + 128*len(m.Answers) }

func (m *LookupResponse) marshal(b []byte) []byte {
	b = putString(b, m.Err)
	b = putUvarint(b, uint64(len(m.Answers)))
	for _, e := range m.Answers {
		var nw string
		if e.network.IsValid() {
			nw = e.network.String()
		}
		b = putString(b, nw)
		b = putEvent(b, e, nil)
	}
	return b
}

func (m *LookupResponse) unmarshal(r *reader) {
	m.Err = r.string()
	n := r.count()
	for i := 0; i < n && r.err == nil; i++ {
		nw := r.string()
		e := r.event()
		if nw != "" {
			pf, err := netip.ParsePrefix(nw)
			if err != nil {
				r.fail()
				return
			}
			e.network = pf
		}
		m.Answers = append(m.Answers, e)
	}
}

func lookupHandler(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
	req := new(LookupRequest)
	if err := dec(req); err != nil {
		return nil, err
	}
	l, ok := srv.(*server).Processor.(Lookuper)
	if !ok {
		return &LookupResponse{Err: "the plugin answers no keyed lookups"}, nil
	}
	out, err := l.Lookup(ctx, req.Units, req.Probes)
	if err != nil {
		return &LookupResponse{Err: err.Error()}, nil
	}
	return &LookupResponse{Answers: out}, nil
}

// Lookup sends probes to a protocol 3 plugin and returns its answers,
// checked: one per probe, none deleting a field.
func (c *Client) Lookup(ctx context.Context, req *LookupRequest) (*LookupResponse, error) {
	resp := new(LookupResponse)
	if err := c.conn.Invoke(ctx, "/"+serviceName+"/Lookup", req, resp, callOpts...); err != nil {
		return nil, err
	}
	if resp.Err != "" {
		return resp, nil
	}
	if len(resp.Answers) != len(req.Probes) {
		return nil, fmt.Errorf("%w: %d answers to %d keyed lookups", ErrWire, len(resp.Answers), len(req.Probes))
	}
	for _, a := range resp.Answers {
		if len(a.deleted) > 0 {
			return nil, fmt.Errorf("%w: a keyed answer deletes fields %v", ErrWire, a.deleted)
		}
	}
	return resp, nil
}

// Keyed says whether protocol 3 (keyed lookups) was negotiated.
func (c *Client) Keyed() bool { return c.keyed }
