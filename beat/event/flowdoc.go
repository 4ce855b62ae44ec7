package event

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"

	"github.com/netbeat/netbeat/beat/flows"
)

// FlowOptions hold what the flow writer reuses between records. Not safe for
// concurrent use: one per flow table (or per goroutine that encodes flows).
type FlowOptions struct {
	arena arena
	tw    TimeWriter
	// IDPrefix, when set, gives every record the id IDPrefix+n, n the
	// 1-based count of records written with these options (docid.go).
	IDPrefix string
	seq      uint64
}

// FlowEncoded builds the event of a flow record as an encoded document (see
// Doc), with the same fields and values as Flow (TestFlowDocMatchesMap).
func FlowEncoded(fl *flows.Flow, o *FlowOptions) beat.Event {
	d := FlowDoc(fl, o)
	return withID(beat.Event{Timestamp: fl.Last, Fields: d.Fields(extraFields)}, d.id)
}

// FlowDoc encodes the fields of one flow record.
func FlowDoc(fl *flows.Flow, o *FlowOptions) *Doc {
	d := &Doc{}
	writeFlowDocIn(&o.arena, d, fl, o)
	return d
}

// AddFlow encodes the document of one flow record into the bundle. The
// record's values are read during the call only.
func (b *Bundle) AddFlow(fl *flows.Flow, o *FlowOptions) {
	b.Docs = b.Docs[:len(b.Docs)+1]
	writeFlowDocIn(&b.arena, &b.Docs[len(b.Docs)-1], fl, o)
	b.bytes += len(b.Docs[len(b.Docs)-1].Body)
	b.TS = append(b.TS, fl.Last)
}

// writeFlowDocIn writes the document of fl into d, its body cut from a.
func writeFlowDocIn(a *arena, d *Doc, fl *flows.Flow, o *FlowOptions) {
	if o.IDPrefix != "" {
		o.seq++
		d.id = DocID{prefix: o.IDPrefix, seq: o.seq}
	}
	b := a.start()
	sp := &d.spans
	t := fl.Tuple

	b = sp.member(b, mEvent)
	b = append(b, `{"kind":"event","category":["network"],"type":`...)
	if fl.Final {
		b = append(b, `["connection","end"]`...)
	} else {
		b = append(b, `["connection"]`...)
	}
	b = append(b, `,"dataset":"netbeat.flows","start":`...)
	b = o.time(b, fl.Start)
	b = append(b, `,"end":`...)
	b = o.time(b, fl.Last)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, fl.Duration().Nanoseconds(), 10)
	b = append(b, '}')
	sp.end(b)

	b = sp.member(b, mNetwork)
	b = appendA(b, `{"transport":`, Transport(t.Proto))
	b = appendA(b, `,"iana_number":`, ianaNumber(t.Proto))
	b = appendU(b, `,"bytes":`, fl.Bytes[0]+fl.Bytes[1])
	b = appendU(b, `,"packets":`, fl.Packets[0]+fl.Packets[1])
	b = append(b, `,"community_id":"`...)
	sp.cid[0] = int32(len(b)) //nolint:gosec // bounded by the arena
	b = append(b, fl.CommunityID...)
	sp.cid[1] = int32(len(b)) //nolint:gosec // bounded by the arena
	b = append(b, '"')
	if t.Src.Is4() {
		b = append(b, `,"type":"ipv4"`...)
	} else {
		b = append(b, `,"type":"ipv6"`...)
	}
	if len(fl.VLANs) > 0 {
		b = appendA(b, `,"vlan":{"id":`, vlanIDs[fl.VLANs[0]&0xfff])
		b = append(b, '}')
		if len(fl.VLANs) > 1 {
			b = appendA(b, `,"inner":{"vlan":{"id":`, vlanIDs[fl.VLANs[1]&0xfff])
			b = append(b, '}', '}')
		}
	}
	b = append(b, '}')
	sp.end(b)

	ports := t.Proto == 6 || t.Proto == 17 || t.Proto == 132
	b = sp.member(b, mSource)
	b = appendFlowEnd(b, t.Src, fl.Packets[0], fl.Bytes[0], t.SPort, ports)
	sp.end(b)
	b = sp.member(b, mDestination)
	b = appendFlowEnd(b, t.Dst, fl.Packets[1], fl.Bytes[1], t.DPort, ports)
	sp.end(b)

	b = sp.member(b, mFlow)
	b = appendB(b, `{"final":`, fl.Final)
	if fl.Final {
		b = appendS(b, `,"end_reason":`, fl.EndReason)
	}
	if t.Proto == 6 {
		b = append(b, `,"tcp_flags":`...)
		b = appendFlagNames(b, uint16(fl.TCPFlags))
	}
	if t.Proto == 1 || t.Proto == 58 {
		b = appendU(b, `,"icmp":{"type":`, uint64(t.SPort))
		b = append(b, '}')
	}
	b = append(b, '}')
	sp.end(b)
	a.finish(d, b)
}

// appendFlowEnd writes source or destination. An address (from a packet:
// no zone) needs no JSON escaping.
func appendFlowEnd(b []byte, ip netip.Addr, packets, bytes uint64, port uint16, hasPort bool) []byte {
	b = append(b, `{"ip":"`...)
	b = append(ip.AppendTo(b), '"')
	b = appendU(b, `,"packets":`, packets)
	b = appendU(b, `,"bytes":`, bytes)
	if hasPort {
		b = appendU(b, `,"port":`, uint64(port))
	}
	return append(b, '}')
}

// time writes a timestamp as libbeat's codec writes common.Time.
func (o *FlowOptions) time(b []byte, t time.Time) []byte {
	if out, ok := o.tw.AppendTime(b, t); ok {
		return out
	}
	return append(b, `""`...) // libbeat's formatter failed: the document stays valid JSON
}
