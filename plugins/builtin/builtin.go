// Package builtin is the registry of the plugins shipped inside the netbeat
// binary (`netbeat plugin serve NAME` re-executes netbeat in plugin mode).
// Each built-in registers itself in init(); plugins/all imports them all.
package builtin

import (
	"fmt"
	"sort"
	"sync"

	"github.com/netbeat/netbeat/plugins/sdk"
)

var (
	mu       sync.Mutex
	registry = map[string]func() sdk.Processor{}
)

// Register adds a built-in plugin; it panics on a duplicate name.
func Register(name string, factory func() sdk.Processor) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[name]; dup {
		panic("builtin: plugin " + name + " registered twice")
	}
	registry[name] = factory
}

// New returns a new instance of the named built-in plugin.
func New(name string) (sdk.Processor, error) {
	mu.Lock()
	defer mu.Unlock()
	f, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("builtin: no built-in plugin %q (have %v)", name, namesLocked())
	}
	return f(), nil
}

// Names lists the built-in plugins, sorted.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	return namesLocked()
}

func namesLocked() []string {
	n := make([]string, 0, len(registry))
	for k := range registry {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}
