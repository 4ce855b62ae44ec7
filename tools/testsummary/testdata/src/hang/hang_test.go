package hang

import (
	"testing"
	"time"
)

func TestQuick(t *testing.T) {}

func TestHangs(t *testing.T) { t.Log("waiting for the broker"); time.Sleep(time.Minute) }
