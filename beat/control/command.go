// Package control is netbeat's remote control plane: operators sign
// commands with Ed25519 keys and write them to a Kafka topic; each probe
// reads that topic, verifies every command against the public keys in its
// configuration, applies the ones addressed to it and answers with one
// result per command on the status topic, beside a periodic heartbeat.
//
// The package knows nothing of capture: a Probe (implemented by package
// beat) applies actions and reports state. Verification, the replay store
// and the consumer position live here, so `netbeat ctl` and the probe share
// one wire format.
package control

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Command is one signed instruction, as written to the command topic (one
// JSON document per Kafka record).
type Command struct {
	ID        string            `json:"id"`
	IssuedAt  string            `json:"issued_at"`  // RFC 3339, UTC
	ExpiresAt string            `json:"expires_at"` // RFC 3339, UTC
	Target    Target            `json:"target"`
	Action    string            `json:"action"`
	Args      map[string]string `json:"args,omitempty"`
	KeyID     string            `json:"key_id"`
	Signature []byte            `json:"signature,omitempty"` // Ed25519 over Canonical(); base64 in JSON
}

// Target selects the probes a command is for: exactly one of Probe (a probe
// id), Tag or All.
type Target struct {
	Probe string `json:"probe,omitempty"`
	Tag   string `json:"tag,omitempty"`
	All   bool   `json:"all,omitempty"`
}

// String is the target as `ctl send` spells it.
func (t Target) String() string {
	switch {
	case t.All:
		return "all"
	case t.Probe != "":
		return "probe " + t.Probe
	default:
		return "tag " + t.Tag
	}
}

// Matches reports whether a probe with this id and these tags is targeted.
func (t Target) Matches(id string, tags []string) bool {
	switch {
	case t.All:
		return true
	case t.Probe != "":
		return t.Probe == id
	case t.Tag != "":
		for _, tag := range tags {
			if tag == t.Tag {
				return true
			}
		}
	}
	return false
}

// signedPrefix separates command signatures from any other use of the key.
const signedPrefix = "netbeat-command-v1\n"

// Canonical is the byte string a command's signature covers: a fixed prefix
// and the command's JSON without the signature (encoding/json writes struct
// fields in declaration order and map keys sorted, so the encoding of the
// decoded values is deterministic).
func (c *Command) Canonical() []byte {
	u := *c
	u.Signature = nil
	b, err := json.Marshal(&u)
	if err != nil { // strings, bools and a string map always encode
		panic(err)
	}
	return append([]byte(signedPrefix), b...)
}

// Sign sets KeyID and Signature.
func (c *Command) Sign(keyID string, key ed25519.PrivateKey) {
	c.KeyID = keyID
	c.Signature = ed25519.Sign(key, c.Canonical())
}

// Times returns IssuedAt and ExpiresAt parsed.
func (c *Command) Times() (issued, expires time.Time, err error) {
	if issued, err = time.Parse(time.RFC3339Nano, c.IssuedAt); err != nil {
		return issued, expires, fmt.Errorf("issued_at %q is not an RFC 3339 time", c.IssuedAt)
	}
	if expires, err = time.Parse(time.RFC3339Nano, c.ExpiresAt); err != nil {
		return issued, expires, fmt.Errorf("expires_at %q is not an RFC 3339 time", c.ExpiresAt)
	}
	return issued, expires, nil
}

// MaxCommandBytes bounds a command record; larger records are rejected
// unread (an `apply` carries a whole netbeat section, far below this).
const MaxCommandBytes = 1 << 20

// ErrMalformed is returned by DecodeCommand when a record is not a command.
var ErrMalformed = errors.New("control: malformed command")

// DecodeCommand parses one command record and checks its shape (not its
// signature: see Verifier). Errors wrap ErrMalformed and say what is wrong.
func DecodeCommand(data []byte) (*Command, error) {
	if len(data) > MaxCommandBytes {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformed, len(data), MaxCommandBytes)
	}
	var c Command
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%w: not a JSON command document: %v", ErrMalformed, err)
	}
	if err := c.check(); err != nil {
		return &c, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return &c, nil
}

func (c *Command) check() error {
	n := 0
	if c.Target.All {
		n++
	}
	if c.Target.Probe != "" {
		n++
	}
	if c.Target.Tag != "" {
		n++
	}
	switch {
	case c.ID == "" || len(c.ID) > 128:
		return errors.New("id must be 1 to 128 characters")
	case c.Action == "":
		return errors.New("action is empty")
	case n != 1:
		return errors.New("target must name exactly one of probe, tag or all")
	case c.KeyID == "":
		return errors.New("key_id is empty")
	case len(c.Signature) != ed25519.SignatureSize:
		return fmt.Errorf("signature must be %d bytes, not %d", ed25519.SignatureSize, len(c.Signature))
	}
	_, _, err := c.Times()
	return err
}
