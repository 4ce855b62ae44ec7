package jsonstr

import (
	"encoding/json"
	"testing"
)

var samples = []string{"", "plain", `q"uote`, `back\slash`, "nl\ncr\rtab\t", "\x00\x01\x1f", "<&>", "é ü 漢字",
	"bad \xff utf8", "trunc \xe6\x97", "\u2028"}

// agree fails unless Append(s) is a JSON string that decodes to what
// encoding/json's encoding of s decodes to.
func agree(t *testing.T, s string) {
	t.Helper()
	got := string(Append(nil, s))
	var back string
	if err := json.Unmarshal([]byte(got), &back); err != nil {
		t.Fatalf("%q: %s is not a JSON string: %v", s, got, err)
	}
	want, _ := json.Marshal(s)
	var wantBack string
	_ = json.Unmarshal(want, &wantBack)
	if back != wantBack {
		t.Errorf("%q: decodes to %q, encoding/json's to %q", s, back, wantBack)
	}
}

// TestAppend: Append and encoding/json agree on quotes, backslashes, control
// characters, HTML characters and invalid UTF-8.
func TestAppend(t *testing.T) {
	for _, s := range samples {
		agree(t, s)
	}
}

func FuzzAppend(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Fuzz(agree)
}
