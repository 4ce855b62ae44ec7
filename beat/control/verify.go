package control

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"
)

// Verifier decides whether a decoded command may be applied by this probe.
type Verifier struct {
	Keys    map[string]ed25519.PublicKey // key id → operator public key
	ProbeID string
	Tags    []string
	MaxSkew time.Duration // how far in the future issued_at may be
	MaxTTL  time.Duration // longest accepted expires_at - issued_at
	Seen    *Seen         // replay store; Verify remembers accepted ids
	Now     func() time.Time
}

// Rejection is why Verify refused a command; Reason is one of Reasons.
type Rejection struct {
	Reason string
	Msg    string
}

func (r *Rejection) Error() string { return "control: command rejected (" + r.Reason + "): " + r.Msg }

func reject(reason, format string, args ...any) *Rejection {
	return &Rejection{Reason: reason, Msg: fmt.Sprintf(format, args...)}
}

// Verify checks, in this order: the key is known, the signature is valid,
// the command is neither expired nor from too far in the future, it is
// addressed to this probe, and its id was never accepted before. An
// accepted id is remembered (persisted) before Verify returns nil, so a
// command is applied at most once even across a crash.
func (v *Verifier) Verify(c *Command) *Rejection {
	key, ok := v.Keys[c.KeyID]
	if !ok {
		return reject(ReasonUnknownKey, "key %q is not in netbeat.control.keys", c.KeyID)
	}
	if len(c.Signature) != ed25519.SignatureSize || !ed25519.Verify(key, c.Canonical(), c.Signature) {
		return reject(ReasonBadSignature, "the signature does not match the command and key %q", c.KeyID)
	}
	issued, expires, err := c.Times()
	if err != nil {
		return reject(ReasonMalformed, "%v", err)
	}
	now := v.Now()
	if !now.Before(expires) {
		return reject(ReasonExpired, "expired at %s, %s ago", c.ExpiresAt, now.Sub(expires).Round(time.Millisecond))
	}
	if issued.Sub(now) > v.MaxSkew {
		return reject(ReasonFuture, "issued_at %s is %s ahead of this probe's clock (at most %s allowed)", c.IssuedAt, issued.Sub(now).Round(time.Millisecond), v.MaxSkew)
	}
	if expires.Sub(issued) > v.MaxTTL {
		return reject(ReasonExpired, "valid for %s, longer than netbeat.control.max_ttl %s", expires.Sub(issued), v.MaxTTL)
	}
	if !c.Target.Matches(v.ProbeID, v.Tags) {
		return reject(ReasonNotAddressed, "addressed to %s, not to this probe (%s)", c.Target, v.ProbeID)
	}
	fresh, err := v.Seen.Add(c.ID, expires, now)
	if err != nil {
		// Cannot remember the id: applying it could repeat it later.
		return reject(ReasonReplayed, "recording the command id failed, so it is not applied: %v", err)
	}
	if !fresh {
		return reject(ReasonReplayed, "command id %q was already accepted", c.ID)
	}
	return nil
}

// AsRejection returns the Rejection in err's chain, if any.
func AsRejection(err error) (*Rejection, bool) {
	var r *Rejection
	ok := errors.As(err, &r)
	return r, ok
}
