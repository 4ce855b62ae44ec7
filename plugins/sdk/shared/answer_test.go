package shared

import (
	"reflect"
	"testing"
)

// answerOf makes a cached answer from a probe's changes.
func answerOf(fields M) *Answer { return NewAnswer(&Event{Fields: fields}) }

// TestCombinerMatchesApplyAnswers: answers that set the same field (iprep's
// source and destination units) give the same event with a Combiner as
// without, the first time and when it remembers the combination, and the
// events do not share the combined value.
func TestCombinerMatchesApplyAnswers(t *testing.T) {
	src := answerOf(M{"iprep": map[string]any{"lists": []string{"block"}, "source": true}, "tags": []string{"listed"}})
	dst := answerOf(M{"iprep": map[string]any{"lists": []string{"tor", "block"}, "destination": true}})
	geo := answerOf(M{"source.geo": map[string]any{"city_name": "Paris"}})
	other := answerOf(M{"iprep": map[string]any{"lists": []string{"spam"}}})
	var c Combiner
	for round, answers := range [][]*Answer{{src, geo, dst}, {src, geo, dst}, {other, dst}, {src, geo, dst}} {
		want := &Event{Fields: M{"source": map[string]any{"ip": "10.0.0.1"}}}
		ApplyAnswers(want, answers)
		got := &Event{Fields: M{"source": map[string]any{"ip": "10.0.0.1"}}}
		c.Apply(got, answers)
		if !reflect.DeepEqual(got.Fields, want.Fields) {
			t.Fatalf("round %d: with a Combiner %v, without %v", round, got.Fields, want.Fields)
		}
		// the event's combined value is its own: changing it changes no
		// remembered combination
		got.Fields["iprep"].(map[string]any)["lists"] = []string{"changed"}
		got.Fields["iprep"].(map[string]any)["x"] = 1
	}
	if len(c.m) != 2 {
		t.Errorf("the Combiner remembers %d combinations, want 2 (src+dst, other+dst)", len(c.m))
	}
	again := &Event{Fields: M{}}
	c.Apply(again, []*Answer{src, dst})
	if l := again.Fields["iprep"].(map[string]any)["lists"]; !reflect.DeepEqual(l, []string{"block", "tor"}) {
		t.Errorf("combined lists %v, want [block tor]", l)
	}
	if _, changed := again.Fields["iprep"].(map[string]any)["x"]; changed {
		t.Error("an event's change reached the remembered combination")
	}
}
