package good

import "testing"

func TestTable(t *testing.T) {
	for _, c := range []string{"a", "b", "c"} {
		t.Run(c, func(t *testing.T) {
			if c == "c" {
				t.Skip("needs tshark, not installed")
			}
		})
	}
}

func TestNested(t *testing.T) {
	t.Run("outer", func(t *testing.T) { t.Run("inner", func(t *testing.T) {}) })
}

func TestSkipped(t *testing.T) { t.Skipf("needs root (uid %d)", 1000) }

func TestPlain(t *testing.T) { t.Log("a log line of a passing test") }
