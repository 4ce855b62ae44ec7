package nbtest

import (
	"bytes"
	"sync"
)

// SyncBuffer is a bytes.Buffer safe for a writing process (a command's
// stdout or stderr) and a test polling what it wrote.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
