package bad

import "testing"

func TestOK(t *testing.T) {}

func TestSubFails(t *testing.T) {
	t.Run("fine", func(t *testing.T) {})
	t.Run("broken", func(t *testing.T) { t.Errorf("got %d events, want %d", 3, 4) })
}

func TestFatal(t *testing.T) { t.Fatal("broker unreachable") }
