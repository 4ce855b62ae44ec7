package beat

import (
	"fmt"
	"strings"
	"sync"
	"time"

	conf "github.com/elastic/elastic-agent-libs/config"
)

// Packet events travel through libbeat's pipeline in one of two forms
// (beat/event): encoded documents whose top-level members are event values
// (fast: no maps, output.franz copies the bytes), or plain maps that
// processors can read and change. Maps are used when something in the
// pipeline may look inside netbeat's fields: a global processor not known to
// leave them alone, a `when` condition on them, or fields_under_root. The
// plugin stage works on encoded events (plugins/host reads the fields
// plugins need from the members and adds their answers as JSON).

// encodedSafe are the processors that only add top-level keys netbeat's
// events never carry, so they work on encoded events.
var encodedSafe = map[string]bool{
	"add_host_metadata": true, "add_cloud_metadata": true, "add_locale": true, "add_id": true,
	"add_observer_metadata": true,
}

// conditionSafe are the top-level fields a `when` condition may test on an
// encoded event: the ones libbeat adds, never netbeat's own.
var conditionSafe = map[string]bool{
	"tags": true, "host": true, "agent": true, "ecs": true, "cloud": true, "observer": true,
	"capture": true, "fields": true, "labels": true,
}

// pathDecision is what InspectProcessing found in the configuration.
type pathDecision struct {
	maps   bool   // packet events must be maps
	reason string // why, for the log
	disk   bool   // queue.disk: events are serialized, bundles cannot be
	// tags: the configuration sets global tags, which libbeat adds to every
	// event (to a bundle event, for all its documents).
	tags bool
	// flushMin is how many events the memory queue waits for before it hands
	// a batch to the output (flush.min_events, 0 when flush.timeout is 0).
	flushMin int
}

var eventPath struct {
	sync.Mutex
	d pathDecision
}

// currentPath returns the decision of the last InspectProcessing.
func currentPath() pathDecision {
	eventPath.Lock()
	defer eventPath.Unlock()
	return eventPath.d
}

// InspectProcessing reads the beat's whole configuration (its global
// processors, fields and tags) and records whether packet events must be
// built as maps. beat/cmd calls it from libbeat's processing factory, before
// the Beater is created.
func InspectProcessing(cfg *conf.C) {
	maps, reason := needMaps(cfg)
	disk := hasDiskQueue(cfg)
	queueCfg := cfg // where queue.mem is configured: top level or under the output
	var outputs []string
	if cfg != nil {
		if out, err := cfg.Child("output", -1); err == nil {
			outputs = out.GetFields()
			for _, name := range outputs {
				if o, err := out.Child(name, -1); err == nil {
					disk = disk || hasDiskQueue(o)
					if o.HasField("queue") {
						queueCfg = o
					}
				}
			}
		}
	}
	flushMin := memQueueFlushMin(queueCfg)
	if len(outputs) == 1 && bundleOutputs[outputs[0]] && !maps && !disk && bundledMode(cfg) {
		flushMin = packetsFlushMin(cfg, queueCfg, flushMin)
	}
	eventPath.Lock()
	eventPath.d = pathDecision{maps: maps, reason: reason, disk: disk, flushMin: flushMin,
		tags: cfg != nil && cfg.HasField("tags")}
	eventPath.Unlock()
}

// netbeatSection reads the netbeat section of the whole configuration over
// its defaults (unknown keys are reported elsewhere, by the Beater).
func netbeatSection(cfg *conf.C) Config {
	c := struct {
		NB Config `config:"netbeat"`
	}{NB: defaultConfig()}
	if cfg != nil {
		_ = cfg.Unpack(&c)
	}
	return c.NB
}

// bundledMode reports whether packet events or flow records are made
// (--mode, or netbeat.mode): both travel in bundles.
func bundledMode(cfg *conf.C) bool {
	c := netbeatSection(cfg)
	if ModeFlag != "" {
		c.Mode = splitList(ModeFlag)
	}
	return c.has("packets") || c.has("flows")
}

// packetsFlushMin makes the memory queue's flush.min_events count documents
// (packets and flow records) when they travel in bundles: the queue then waits for
// flush.min_events / bundle bundle events, about as many packets as the user
// asked for, instead of that many bundles (which max_inflight packets would
// not fill, so each batch would wait out flush.timeout). It changes the
// queue configuration libbeat has read (the same configuration tree) and
// returns the new value; libbeat creates the queue after this.
func packetsFlushMin(cfg, queueCfg *conf.C, flushMin int) int {
	if flushMin <= 0 || queueCfg == nil || !queueCfg.HasField("queue") {
		return flushMin
	}
	bundle := netbeatSection(cfg).Packets.Bundle
	if bundle <= 1 {
		return flushMin
	}
	q, err := queueCfg.Child("queue", -1)
	if err != nil || !q.HasField("mem") {
		return flushMin
	}
	mem, err := q.Child("mem", -1)
	if err != nil {
		return flushMin
	}
	perBundle := max(1, flushMin/bundle)
	if err := mem.SetInt("flush.min_events", -1, int64(perBundle)); err != nil {
		return flushMin
	}
	return perBundle
}

// memQueueFlushMin reads queue.mem's flush settings (libbeat's defaults:
// 1600 events, 10 s).
func memQueueFlushMin(cfg *conf.C) int {
	q := struct {
		Mem struct {
			MinEvents    int           `config:"flush.min_events"`
			FlushTimeout time.Duration `config:"flush.timeout"`
		} `config:"queue.mem"`
	}{}
	q.Mem.MinEvents, q.Mem.FlushTimeout = 1600, 10*time.Second
	if cfg != nil {
		if err := cfg.Unpack(&q); err != nil {
			return 1600
		}
	}
	if q.Mem.FlushTimeout <= 0 {
		return 0
	}
	return q.Mem.MinEvents
}

// bundleSize is the documents per bundle: at most the configured size, and
// small enough that max_inflight packets make at least twice the events the
// memory queue waits for before flushing (otherwise each batch would wait
// out flush.timeout).
func (d pathDecision) bundleSize(configured, maxInflight int) int {
	if d.flushMin > 0 {
		configured = min(configured, max(1, maxInflight/(2*d.flushMin)))
	}
	return configured
}

func needMaps(cfg *conf.C) (bool, string) {
	if cfg == nil {
		return false, ""
	}
	var c struct {
		Processors      []map[string]interface{} `config:"processors"`
		FieldsUnderRoot bool                     `config:"fields_under_root"`
	}
	if err := cfg.Unpack(&c); err != nil {
		return true, fmt.Sprintf("the processors could not be read (%v)", err)
	}
	if c.FieldsUnderRoot {
		return true, "fields_under_root is set"
	}
	for i, p := range c.Processors {
		for name, v := range p {
			if !encodedSafe[name] {
				return true, fmt.Sprintf("processors.%d: %s reads or changes event fields", i, name)
			}
			if m, ok := v.(map[string]interface{}); ok {
				if when, ok := m["when"]; ok {
					if f := unsafeConditionField(when); f != "" {
						return true, fmt.Sprintf("processors.%d: %s has a condition on %s", i, name, f)
					}
				}
			}
		}
	}
	return false, ""
}

// conditionOps are libbeat's condition operators whose keys are field names.
var conditionOps = map[string]bool{"equals": true, "contains": true, "regexp": true, "range": true, "network": true}

// unsafeConditionField returns a field a condition tests that encoded
// events would hide ("" if none).
func unsafeConditionField(c interface{}) string {
	switch c := c.(type) {
	case map[string]interface{}:
		for op, v := range c {
			switch {
			case conditionOps[op]:
				m, ok := v.(map[string]interface{})
				if !ok {
					return op
				}
				for field := range m {
					if !conditionSafe[strings.SplitN(field, ".", 2)[0]] {
						return field
					}
				}
			case op == "has_fields":
				l, _ := v.([]interface{})
				for _, f := range l {
					s, _ := f.(string)
					if !conditionSafe[strings.SplitN(s, ".", 2)[0]] {
						return s
					}
				}
			case op == "and" || op == "or" || op == "not":
				if f := unsafeConditionField(v); f != "" {
					return f
				}
			default:
				return op
			}
		}
	case []interface{}:
		for _, x := range c {
			if f := unsafeConditionField(x); f != "" {
				return f
			}
		}
	default:
		return fmt.Sprint(c)
	}
	return ""
}

// hasDiskQueue reports a queue.disk section in cfg.
func hasDiskQueue(cfg *conf.C) bool {
	if cfg == nil || !cfg.HasField("queue") {
		return false
	}
	q, err := cfg.Child("queue", -1)
	return err == nil && q.HasField("disk")
}
