//go:build !integration

package jsonenc

import (
	"strconv"
	"strings"
	"testing"
	"time"

	lbjson "github.com/elastic/beats/v7/libbeat/outputs/codec/json"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/event"
	"github.com/netbeat/netbeat/internal/jsontest"
)

// TestBundleDocIDs: a bundled document with an id is written with
// @metadata._id, the same document libbeat's codec writes for it as an
// event of its own (DocEvent, whose metadata gets the id), with and without
// other metadata on the bundle event.
func TestBundleDocIDs(t *testing.T) {
	src := event.NewIDSource()
	for _, meta := range []mapstr.M{nil, {"pipeline": "p"}} {
		b := event.NewBundle(3)
		ts := time.Date(2026, 12, 1, 1, 2, 3, 4000000, time.UTC)
		for i, id := range []event.DocID{event.NewDocID(event.PacketIDPrefix(src), 118), {}, event.NewDocID(`we"ird\id`, 0)} {
			if !b.AddFields(ts, mapstr.M{"x": member(t, i)}) {
				t.Fatal("AddFields refused a member")
			}
			b.SetID(id)
		}
		ev := b.Event()
		ev.Meta = meta
		ev.Fields["agent"] = mapstr.M{"name": "n"}
		fe := New("9.3.0")
		shared, ok := fe.SharedPart("netbeat", &ev)
		if !ok {
			t.Fatal("SharedPart refused the bundle")
		}
		lb := lbjson.New("9.3.0", lbjson.Config{})
		for i := range b.Docs {
			got := fe.AppendDoc(nil, b.TS[i], shared, &b.Docs[i])
			want, err := lb.Encode("netbeat", b.DocEvent(&ev, i))
			if err != nil {
				t.Fatal(err)
			}
			if g, w := jsontest.Canonical(t, got), jsontest.Canonical(t, want); g != w {
				t.Fatalf("document %d differs\n got: %s\nwant: %s", i, g, w)
			}
			if has := strings.Contains(string(got), `"_id":`); has != !b.Docs[i].ID().IsZero() {
				t.Fatalf("document %d: _id present %v, id %q: %s", i, has, b.Docs[i].ID(), got)
			}
		}
		if id := b.Docs[0].ID().String(); id != src+".p118" {
			t.Fatalf("id %q, want %s.p118", id, src)
		}
	}
}

// member is the member x of the document {"x":{"n":i}}.
func member(t *testing.T, i int) *event.Member {
	t.Helper()
	d := event.Doc{Body: []byte(`{"x":{"n":` + strconv.Itoa(i) + `}}`)}
	ms := d.Members()
	if len(ms) != 1 {
		t.Fatalf("members of %s: %d", d.Body, len(ms))
	}
	return &ms[0]
}
