//go:build !integration

package event

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	lbjson "github.com/elastic/beats/v7/libbeat/outputs/codec/json"

	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/netbeat/netbeat/beat/capture"
	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/internal/jsontest"
)

// TestMemberWith: a member extended with With reads, decodes and encodes
// (encoding/json and libbeat's codec) as the map with the key added; floats
// and negative numbers survive.
func TestMemberWith(t *testing.T) {
	m := NewMember("source", []byte(`{"ip":"81.2.3.4","port":53}`))
	geo := []byte(`{"city_name":"Paris \"9\"","location":{"lat":48.85,"lon":-0.0025,"e":1e3},"n":-7,"ok":true,"x":null,"l":[1,2.5,"a"]}`)
	got, ok := m.With("geo", geo)
	if !ok {
		t.Fatal("With refused an object without the key")
	}
	w := got.(*Member)
	want := mapstr.M{"ip": "81.2.3.4", "port": int64(53), "geo": mapstr.M{"city_name": `Paris "9"`,
		"location": mapstr.M{"lat": 48.85, "lon": -0.0025, "e": 1000.0}, "n": int64(-7), "ok": true, "x": nil,
		"l": []interface{}{int64(1), 2.5, "a"}}}
	if g, wt := marshal(t, w.Value()), marshal(t, want); g != wt {
		t.Fatalf("Value\n got: %s\nwant: %s", g, wt)
	}
	if v, ok := w.Lookup("geo.location.lat"); !ok || v != 48.85 {
		t.Fatalf("Lookup geo.location.lat = %v, %v", v, ok)
	}
	if v, ok := w.Lookup("geo.location.e"); !ok || v != 1000.0 {
		t.Fatalf("Lookup geo.location.e = %v, %v", v, ok)
	}
	if v, ok := w.Lookup("port"); !ok || v != int64(53) {
		t.Fatalf("Lookup port = %v, %v", v, ok)
	}
	enc := lbjson.New("9.3.0", lbjson.Config{})
	if g, wt := viaCodec(t, enc, mapstr.M{"source": w}), marshal(t, mapstr.M{"source": want}); g != wt {
		t.Fatalf("libbeat codec\n got: %s\nwant: %s", g, wt)
	}
	var g, wt interface{} // numbers compared as values: 1e3 == 1000
	if err := json.Unmarshal([]byte(marshal(t, mapstr.M{"source": w})), &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(marshal(t, mapstr.M{"source": want})), &wt); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, wt) {
		t.Fatalf("encoding/json\n got: %v\nwant: %v", g, wt)
	}
	if string(m.Raw()) != `{"ip":"81.2.3.4","port":53}` {
		t.Fatalf("With changed the original: %s", m.Raw())
	}
	for _, c := range []struct {
		m   *Member
		key string
	}{{m, "ip"}, {NewMember("n", []byte(`5`)), "a"}, {m, "a.b"}, {NewMember("l", []byte(`[1]`)), "a"}} {
		if _, ok := c.m.With(c.key, []byte(`1`)); ok {
			t.Errorf("With(%s) on %s accepted", c.key, c.m.Raw())
		}
	}
	e, ok := NewMember("x", []byte(`{}`)).With("a", []byte(`"b"`))
	if !ok || string(e.(*Member).Raw()) != `{"a":"b"}` {
		t.Fatalf("With on an empty object: %v", e)
	}
}

// TestMemberExtend: several keys added at once read back as the map with
// them added; a key the member has, or a non-object, is refused.
func TestMemberExtend(t *testing.T) {
	m := NewMember("source", []byte(`{"ip":"81.2.3.4"}`))
	got, ok := m.Extend([]string{"as", "geo"}, []byte(`"as":{"number":1},"geo":{"city_name":"x"}`))
	if !ok {
		t.Fatal("Extend refused new keys")
	}
	want := mapstr.M{"ip": "81.2.3.4", "as": mapstr.M{"number": int64(1)}, "geo": mapstr.M{"city_name": "x"}}
	if g, w := marshal(t, got.(*Member).Value()), marshal(t, want); g != w {
		t.Fatalf("Extend\n got: %s\nwant: %s", g, w)
	}
	if _, ok := m.Extend([]string{"geo", "ip"}, []byte(`"geo":1,"ip":2`)); ok {
		t.Error("Extend accepted a key the member has")
	}
	if _, ok := NewMember("n", []byte(`[1]`)).Extend([]string{"a"}, []byte(`"a":1`)); ok {
		t.Error("Extend accepted a list")
	}
	e, ok := NewMember("x", []byte(`{}`)).Extend([]string{"a"}, []byte(`"a":1`))
	if !ok || string(e.(*Member).Raw()) != `{"a":1}` {
		t.Fatalf("Extend on an empty object: %v", e)
	}
}

// TestBundleAddFields: a bundle made from members (the plugin stage's
// output) gives each document the body, members, community ID and
// libbeat-codec document of the fields it was made from; a field that is
// not a member is refused.
func TestBundleAddFields(t *testing.T) {
	src, err := capture.OpenFile(capturesDir + "/mixed.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dec, _ := decode.New(src.LinkType())
	o := &PacketOptions{}
	enc := lbjson.New("9.3.0", lbjson.Config{})
	b := NewBundle(1000)
	var want []mapstr.M
	for n := uint64(1); ; n++ {
		data, ci, err := src.ReadPacket()
		if err != nil {
			break
		}
		f := Packet(dec.Decode(data, ci), n, o).Fields
		if n%2 == 0 { // extended by a plugin
			v, _ := f["network"].(*Member).With("geo", []byte(`{"x":1.5,"s":"a\"b"}`))
			f["network"], f["timebucket"] = v, NewMember("timebucket", []byte(`{"hour":3}`))
		}
		if !b.AddFields(ci.Timestamp, f) {
			t.Fatalf("packet %d: AddFields refused members", n)
		}
		want = append(want, f)
	}
	if b.Len() < 50 {
		t.Fatalf("only %d documents", b.Len())
	}
	for i := range b.Docs {
		d := &b.Docs[i]
		if g, w := jsontest.Canonical(t, d.Body), marshal(t, want[i]); g != w {
			t.Fatalf("doc %d body\n got: %s\nwant: %s", i, g, w)
		}
		if g, w := viaCodec(t, enc, d.Fields(0)), viaCodec(t, enc, want[i]); g != w {
			t.Fatalf("doc %d via codec\n got: %s\nwant: %s", i, g, w)
		}
		cid, _ := want[i]["network"].(*Member).LookupString("community_id")
		if string(d.CommunityID()) != string(cid) {
			t.Fatalf("doc %d community ID %q, want %q", i, d.CommunityID(), cid)
		}
	}
	if b.AddFields(time.Now(), mapstr.M{"event": NewMember("event", []byte(`{}`)), "tags": []string{"x"}}) {
		t.Error("AddFields accepted a field that is not a member")
	}
}
