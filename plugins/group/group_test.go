package group_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/netbeat/netbeat/plugins/comment"
	"github.com/netbeat/netbeat/plugins/group"
	"github.com/netbeat/netbeat/plugins/iprep"
	"github.com/netbeat/netbeat/plugins/sdk"
	"github.com/netbeat/netbeat/plugins/sdk/sdktest"
	"github.com/netbeat/netbeat/plugins/timebucket"
)

func events() []*sdk.Event {
	ts := time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC)
	return []*sdk.Event{
		sdktest.Event(ts, "source.ip", "10.1.2.3", "destination.ip", "198.51.100.7", "destination.port", 53, "network.transport", "udp"),
		sdktest.Event(ts, "source.ip", "192.168.1.5", "destination.ip", "203.0.113.9", "destination.port", 443, "network.transport", "tcp"),
		sdktest.Event(ts, "source.ip", "172.16.0.1", "destination.ip", "8.8.8.8", "destination.port", 80),
	}
}

func configs(t *testing.T) (commentCfg, tbCfg, iprepCfg map[string]any) {
	list := filepath.Join(t.TempDir(), "block.txt")
	if err := os.WriteFile(list, []byte("203.0.113.0/24\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]any{"rules": []any{
			map[string]any{"match": map[string]any{"ports": []any{53}}, "tags": []any{"dns"}},
			map[string]any{"match": map[string]any{"cidr": []any{"10.0.0.0/8"}}, "comment": "internal"},
		}},
		map[string]any{"timezone": "Asia/Tokyo"},
		map[string]any{"lists": []any{map[string]any{"path": list}}}
}

// TestGroupEqualsChain: a group of comment → timebucket → iprep gives, event
// for event, what the three plugins give one after the other (each behind
// the real gRPC transport, with projection and merging as in netbeat).
func TestGroupEqualsChain(t *testing.T) {
	cc, tc, ic := configs(t)
	want := events()
	for _, h := range []*sdktest.Harness{
		sdktest.New(t, &comment.Comment{}, cc),
		sdktest.New(t, &timebucket.TimeBucket{}, tc),
		sdktest.New(t, &iprep.IPRep{}, ic),
	} {
		var err error
		if want, err = h.Process(want...); err != nil {
			t.Fatal(err)
		}
	}
	g := sdktest.New(t, &group.Group{}, map[string]any{"plugins": []any{
		map[string]any{"name": comment.Name, "config": cc},
		map[string]any{"name": timebucket.Name, "config": tc},
		map[string]any{"name": iprep.Name, "config": ic},
	}})
	got, err := g.Process(events()...)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i].Fields, want[i].Fields) {
			t.Errorf("event %d:\n group %v\n chain %v", i, got[i].Fields, want[i].Fields)
		}
	}
	// the members did work: a tag, a time bucket, a block-list hit
	if tags, _ := got[0].Fields.GetValue("tags"); !reflect.DeepEqual(tags, []any{"dns"}) && !reflect.DeepEqual(tags, []string{"dns"}) {
		t.Errorf("event 0 tags %v, want [dns]", tags)
	}
	if d, _ := got[0].Fields.GetValue("timebucket.day"); d != int64(1) {
		t.Errorf("event 0 timebucket.day %v, want 1 (Tokyo)", d)
	}
	if m, _ := got[1].Fields.GetValue("iprep.matched"); m == nil {
		t.Errorf("event 1 (203.0.113.9, block-listed) has no iprep match: %v", got[1].Fields)
	}
	if m, _ := got[2].Fields.GetValue("iprep"); m != nil {
		t.Errorf("event 2 (not listed) has an iprep match: %v", m)
	}
	// the host is told the union of the members' fields
	needs := g.Needs()
	for _, n := range []string{"source.ip", "destination.ip", "timebucket"} {
		found := false
		for _, x := range needs {
			found = found || x == n
		}
		if !found {
			t.Errorf("needs %v lacks %s", needs, n)
		}
	}
}

func TestGroupConfigErrors(t *testing.T) {
	for _, c := range []struct {
		cfg  map[string]any
		want string
	}{
		{map[string]any{}, "config.plugins is empty"},
		{map[string]any{"plugins": []any{map[string]any{"name": "nosuch"}}}, "no built-in plugin \"nosuch\""},
		{map[string]any{"plugins": []any{map[string]any{"name": "group"}}}, "cannot contain a group"},
		{map[string]any{"plugins": []any{map[string]any{"name": "timebucket"}, map[string]any{"name": "timebucket"}}}, "appears twice"},
		{map[string]any{"plugins": []any{map[string]any{"name": "timebucket", "config": map[string]any{"timezone": "Nowhere/Else"}}}}, "configuring timebucket failed"},
	} {
		_, err := sdktest.Configure(t, &group.Group{}, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("config %v: error %v, want %q", c.cfg, err, c.want)
		}
	}
}
