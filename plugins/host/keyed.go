package host

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/netbeat/netbeat/plugins/sdk"
	"github.com/netbeat/netbeat/plugins/sdk/shared"
)

// The keyed path (protocol 3, shared/keyed.go): for a plugin that declares
// units, prepare computes every event's key for each unit and takes the
// answers it finds in the cache; exchange asks the plugin (Lookup) only for
// the keys it did not find, one probe per distinct key; finish stores the
// new answers and adds each event's answers to it. The events never cross
// the wire. A failed lookup goes through the same failure policy as a
// batch: retried after a restart, or the batch passed through tagged.

// keyedRequest is a batch's keyed work.
type keyedRequest struct {
	k      *shared.Keyer
	ans    []*shared.Answer // per event and unit (event*units+unit): the answer, once known
	probe  []int32          // per event and unit: the probe whose answer it takes, or -1
	probes []*shared.Event
	units  []int        // per probe
	keys   []string     // per probe: its cache key, "" when its answer is not cached
	addrs  []netip.Addr // per probe of a KeyNetwork unit: the address (invalid otherwise)
	resp   []*shared.Event
}

// keyerFor returns the keyer for a plugin's declared units, or nil (the
// classic path) when it declares none or the cache is off.
func (in *instance) keyerFor(units []shared.Unit) (*shared.Keyer, error) {
	if len(units) == 0 || in.h.cfg.CacheSize <= 0 {
		return nil, nil
	}
	k, err := shared.NewKeyer(units)
	if err != nil {
		return nil, fmt.Errorf("configuring failed: %w", err)
	}
	return k, nil
}

// When most keys miss (traffic whose keys never repeat, a cache too small
// for it), asking the plugin key by key costs more than sending it the
// events: batches then go the classic way, and every keyedRetry-th batch
// goes keyed again to see whether the keys repeat by now.
const (
	keyedMaxMiss = 1000 // keys asked of the plugin per 1,000 events
	keyedRetry   = 16
)

// useKeyed says whether the next batch goes the keyed way.
func (in *instance) useKeyed() bool {
	if in.missPermille.Load() <= keyedMaxMiss {
		return true
	}
	return in.batchNo.Add(1)%keyedRetry == 0
}

// prepareKeyed fills r's keyed work from the cache.
func (in *instance) prepareKeyed(r *request, k *shared.Keyer) {
	nu := len(k.Units)
	kr := &keyedRequest{k: k, ans: make([]*shared.Answer, len(r.batch)*nu), probe: make([]int32, len(r.batch)*nu)}
	r.keyed = kr
	c := in.cache
	now := time.Now().UnixNano()
	var dedupe map[string]int32
	var buf []byte
	var hits, misses uint64
	var f shared.Fields
	// A few networks answered last, per unit: an address of one of them
	// needs no map lookup (a capture's local networks recur all the time).
	recent := make([][recentNets]recentNet, nu)
	// The other keys answered in this batch: a small map, cheaper to probe
	// than the cache's (a batch has few distinct time buckets, classes).
	local := make(map[string]*shared.Answer, 64)
	c.mu.Lock()
	defer func() {
		c.mu.Unlock()
		c.hits.Add(hits)
		c.misses.Add(misses)
		if len(r.batch) > 0 {
			in.missPermille.Store(int64(1000 * misses / uint64(len(r.batch))))
		}
	}()
	for i, e := range r.batch {
		k.Reset(&f, e)
		for u := range nu {
			idx := i*nu + u
			kr.probe[idx] = -1
			if k.Uncacheable(u, e) {
				misses++
				kr.probe[idx] = kr.add(u, e, "", netip.Addr{})
				continue
			}
			addr, isNet := k.Network(u, &f)
			if isNet {
				var a *shared.Answer
				rc := &recent[u]
				for _, n := range rc {
					if n.a != nil && n.pf.Contains(addr) {
						a = n.a
						break
					}
				}
				for _, bits := range c.order[u] {
					if a != nil {
						break
					}
					pf, err := addr.Prefix(bits)
					if err != nil {
						continue
					}
					if a = c.getNet(shared.NetKey{Unit: u, Net: pf}, now); a != nil {
						c.hitNet(u, bits)
						copy(rc[1:], rc[:recentNets-1])
						rc[0] = recentNet{pf, a}
						break
					}
				}
				if a != nil {
					hits++
					kr.ans[idx] = a
					continue
				}
			}
			buf = k.AppendKey(buf[:0], u, &f)
			if !isNet {
				if a := local[string(buf)]; a != nil {
					hits++
					kr.ans[idx] = a
					continue
				}
				if a := c.get(buf, now); a != nil {
					hits++
					kr.ans[idx] = a
					local[string(buf)] = a
					continue
				}
			}
			if j, ok := dedupe[string(buf)]; ok { // asked already for this batch
				hits++
				kr.probe[idx] = j
				continue
			}
			misses++
			if dedupe == nil {
				dedupe = make(map[string]int32, 64)
			}
			key := string(buf)
			j := kr.add(u, e, key, addr)
			dedupe[key] = j
			kr.probe[idx] = j
		}
	}
}

const recentNets = 4

type recentNet struct {
	pf netip.Prefix
	a  *shared.Answer
}

// add appends the probe for e's unit u and returns its number.
func (kr *keyedRequest) add(u int, e *shared.Event, key string, addr netip.Addr) int32 {
	kr.probes = append(kr.probes, kr.k.Probe(u, e))
	kr.units = append(kr.units, u)
	kr.keys = append(kr.keys, key)
	kr.addrs = append(kr.addrs, addr)
	return int32(len(kr.probes) - 1)
}

// callKeyed asks the plugin for the answers of r's probes, bounded by the
// timeout. Callers hold mu.
func (in *instance) callKeyed(r *request) error {
	kr := r.keyed
	if len(kr.probes) == 0 {
		return nil
	}
	if in.local != nil {
		return in.lookupLocal(kr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), in.h.cfg.Timeout)
	defer cancel()
	resp, err := in.proc.Lookup(ctx, &shared.LookupRequest{Units: kr.units, Probes: kr.probes})
	switch {
	case err != nil && ctx.Err() != nil:
		in.kill()
		return fmt.Errorf("%w (timeout %s): killed", ErrTimeout, in.h.cfg.Timeout)
	case err != nil:
		in.kill()
		if errors.Is(err, shared.ErrWire) {
			return fmt.Errorf("decoding its answer failed: %w", err)
		}
		return fmt.Errorf("plugin process failed: %w", err)
	case resp.Err != "":
		return fmt.Errorf("%w: %s", ErrPlugin, resp.Err)
	}
	kr.resp = resp.Answers
	return nil
}

// lookupLocal answers the probes with the in-process plugin, unit by unit.
func (in *instance) lookupLocal(kr *keyedRequest) error {
	kp := in.local.(sdk.Keyed)
	byUnit := make([][]*shared.Event, len(kr.k.Units))
	for j, p := range kr.probes {
		byUnit[kr.units[j]] = append(byUnit[kr.units[j]], p)
	}
	for u, ps := range byUnit {
		if len(ps) == 0 {
			continue
		}
		if err := kp.ProcessUnit(context.Background(), u, ps); err != nil {
			return fmt.Errorf("%w: %v", ErrPlugin, err)
		}
	}
	shared.Diff(kr.probes)
	kr.resp = kr.probes
	return nil
}

// finishKeyed stores the plugin's new answers and adds every event's
// answers to it, in unit order.
func (in *instance) finishKeyed(r *request) []*shared.Event {
	kr := r.keyed
	nu := len(kr.k.Units)
	if len(kr.resp) > 0 {
		answers := make([]*shared.Answer, len(kr.resp))
		for j, e := range kr.resp {
			answers[j] = shared.NewAnswer(e)
		}
		in.store(kr, answers)
		for idx, j := range kr.probe {
			if j >= 0 {
				kr.ans[idx] = answers[j]
			}
		}
	}
	list := make([]*shared.Answer, 0, nu)
	in.combMu.Lock()
	defer in.combMu.Unlock()
	for i, e := range r.batch {
		list = list[:0]
		for _, a := range kr.ans[i*nu : (i+1)*nu] {
			if a != nil && !a.Empty() {
				list = append(list, a)
			}
		}
		if len(list) > 0 {
			in.comb.Apply(e, list)
		}
	}
	return r.batch
}

// store puts the cacheable answers into the cache: a KeyNetwork unit's
// under the network the plugin returned (when it holds the address), or
// the address alone.
func (in *instance) store(kr *keyedRequest, answers []*shared.Answer) {
	c := in.cache
	now := time.Now().UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	for j, a := range answers {
		if kr.keys[j] == "" {
			continue
		}
		u := kr.units[j]
		ttl := kr.k.Units[u].TTL
		addr := kr.addrs[j]
		if !addr.IsValid() {
			c.put(kr.keys[j], a, ttl, now)
			continue
		}
		pf := kr.resp[j].Network().Masked()
		if !pf.IsValid() || !pf.Contains(addr) {
			pf = netip.PrefixFrom(addr, addr.BitLen())
		}
		c.putNet(shared.NetKey{Unit: u, Net: pf}, a, ttl, now)
	}
}
