package broken

import "testing"

func TestNoBuild(t *testing.T) { var x int = "not an int"; _ = x }
