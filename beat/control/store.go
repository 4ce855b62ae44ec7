package control

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// WriteFileAtomic replaces path with data: a temporary file in the same
// folder, synced, then renamed over path, so a crash leaves the old or the
// new content, never a mix.
func WriteFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// readJSON loads path into v; a missing file leaves v as it is.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s is damaged (%v): remove it to start afresh", path, err)
	}
	return nil
}

// Seen remembers the ids of accepted commands until they expire, in a file
// under path.data, so a replayed command is rejected even after a restart.
type Seen struct {
	mu   sync.Mutex
	path string
	ids  map[string]time.Time // id → expires_at
}

// OpenSeen loads the replay store at path (created on first Add).
func OpenSeen(path string) (*Seen, error) {
	s := &Seen{path: path, ids: map[string]time.Time{}}
	if err := readJSON(path, &s.ids); err != nil {
		return nil, fmt.Errorf("control: reading the replay store failed: %w", err)
	}
	return s, nil
}

// Add records id and persists the store; it returns false when id is
// already there. Ids whose command has expired are forgotten: an expired
// command is rejected before its id is looked up.
func (s *Seen) Add(id string, expires, now time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return false, nil
	}
	for k, exp := range s.ids {
		if now.After(exp) {
			delete(s.ids, k)
		}
	}
	s.ids[id] = expires
	data, _ := json.Marshal(s.ids)
	if err := WriteFileAtomic(s.path, data); err != nil {
		delete(s.ids, id)
		return false, err
	}
	return true, nil
}

// Len is how many ids are remembered.
func (s *Seen) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

// Position is the probe's own position in the command topic: for each
// partition, the offset of the next record to read. It is saved after
// each command is handled, so a restart neither skips nor repeats one.
type Position struct {
	path  string
	Topic string          `json:"topic"`
	Next  map[int32]int64 `json:"next"`
}

// OpenPosition loads the position at path; an empty one when the file is
// missing or was kept for another topic.
func OpenPosition(path, topic string) (*Position, error) {
	p := &Position{path: path}
	if err := readJSON(path, p); err != nil {
		return nil, fmt.Errorf("control: reading the command topic position failed: %w", err)
	}
	if p.Topic != topic || p.Next == nil {
		p.Topic, p.Next = topic, map[int32]int64{}
	}
	return p, nil
}

// Set records that partition's next offset and persists the position.
func (p *Position) Set(partition int32, next int64) error {
	p.Next[partition] = next
	data, _ := json.Marshal(p)
	return WriteFileAtomic(p.path, data)
}
