package control

import (
	"encoding/json"
)

// Handle decodes, verifies and applies one command record and returns its
// result. It never applies a command that fails verification.
func (l *Loop) Handle(data []byte, offset int64) *Result {
	start := l.o.Now()
	res := &Result{Kind: KindResult, Probe: l.o.Probe.ID, Name: l.o.Probe.Name, Offset: offset}
	l.m.received.Inc()
	finish := func() *Result {
		res.Time = l.o.Now().UTC()
		res.ApplyMS = float64(l.o.Now().Sub(start).Microseconds()) / 1000
		return res
	}
	c, err := DecodeCommand(data)
	if c != nil {
		res.CommandID, res.Action = c.ID, c.Action
	}
	if err != nil {
		return l.rejected(res, &Rejection{Reason: ReasonMalformed, Msg: err.Error()}, finish)
	}
	if rej := l.verify.Verify(c); rej != nil {
		return l.rejected(res, rej, finish)
	}
	res.HashBefore = l.probe.State().ConfigHash
	var msg string
	if c.Action == "status" {
		data, _ := json.Marshal(l.heartbeat())
		msg = string(data)
	} else {
		msg, err = l.probe.Apply(c.Action, c.Args)
	}
	res.HashAfter = l.probe.State().ConfigHash
	if err != nil {
		res.Status, res.Message = Failed, err.Error()
		l.m.failed.Inc()
		l.o.Log.Warnf("control: command %s (%s %v, key %s) failed: %v", c.ID, c.Action, c.Args, c.KeyID, err)
	} else {
		res.Status, res.Message = Applied, msg
		l.m.applied.Inc()
		l.o.Log.Infof("control: command %s (%s %v, key %s) applied: %s", c.ID, c.Action, c.Args, c.KeyID, short(msg))
	}
	l.mu.Lock()
	l.last = &CommandRecord{ID: c.ID, Action: c.Action, Status: res.Status, Time: start.UTC()}
	l.mu.Unlock()
	return finish()
}

func (l *Loop) rejected(res *Result, rej *Rejection, finish func() *Result) *Result {
	res.Status, res.Reason, res.Message = Rejected, rej.Reason, rej.Msg
	l.m.reject(rej.Reason)
	if rej.Reason == ReasonNotAddressed {
		l.o.Log.Debugf("control: command %s rejected: %s", res.CommandID, rej.Msg)
	} else {
		l.o.Log.Warnf("control: command %q rejected (%s): %s", res.CommandID, rej.Reason, rej.Msg)
	}
	return finish()
}

func short(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
