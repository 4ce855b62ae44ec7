package event

import (
	"strconv"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/common"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/flows"
)

var (
	typeConnection = []string{"connection"}
	typeConnEnd    = []string{"connection", "end"}
)

// Flow builds the event of an interim (Final=false) or final flow record.
func Flow(fl *flows.Flow) beat.Event {
	t := fl.Tuple
	typ := typeConnection
	if fl.Final {
		typ = typeConnEnd
	}
	ev := mapstr.M{
		"kind": "event", "category": categoryNetwork, "type": typ, "dataset": "netbeat.flows",
		"start": common.Time(fl.Start.UTC()), "end": common.Time(fl.Last.UTC()), "duration": fl.Duration().Nanoseconds(),
	}
	network := mapstr.M{
		"transport": Transport(t.Proto), "iana_number": strconv.Itoa(int(t.Proto)),
		"bytes": fl.Bytes[0] + fl.Bytes[1], "packets": fl.Packets[0] + fl.Packets[1],
		"community_id": fl.CommunityID,
	}
	if t.Src.Is4() {
		network["type"] = "ipv4"
	} else {
		network["type"] = "ipv6"
	}
	if len(fl.VLANs) > 0 {
		network["vlan"] = mapstr.M{"id": strconv.Itoa(int(fl.VLANs[0]))}
		if len(fl.VLANs) > 1 {
			network["inner"] = mapstr.M{"vlan": mapstr.M{"id": strconv.Itoa(int(fl.VLANs[1]))}}
		}
	}
	src := mapstr.M{"ip": t.Src.String(), "packets": fl.Packets[0], "bytes": fl.Bytes[0]}
	dst := mapstr.M{"ip": t.Dst.String(), "packets": fl.Packets[1], "bytes": fl.Bytes[1]}
	switch t.Proto {
	case 6, 17, 132:
		src["port"], dst["port"] = t.SPort, t.DPort
	}
	flow := mapstr.M{"final": fl.Final}
	if fl.Final {
		flow["end_reason"] = fl.EndReason
	}
	if t.Proto == 6 {
		flow["tcp_flags"] = FlagNames(uint16(fl.TCPFlags))
	}
	if t.Proto == 1 || t.Proto == 58 {
		flow["icmp"] = mapstr.M{"type": t.SPort}
	}
	return beat.Event{Timestamp: fl.Last, Fields: mapstr.M{
		"event": ev, "network": network, "source": src, "destination": dst, "flow": flow,
	}}
}
