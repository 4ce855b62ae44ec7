package control

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
)

// KeyConfig is one trusted operator key in netbeat.control.keys.
type KeyConfig struct {
	ID        string `config:"id" json:"id"`
	PublicKey string `config:"public_key" json:"public_key"` // base64 (standard) of the 32-byte Ed25519 key
}

// PrivateKeyFile is what `netbeat ctl keygen` writes (mode 0600).
type PrivateKeyFile struct {
	KeyID      string `json:"key_id"`
	PrivateKey []byte `json:"private_key"` // 64-byte Ed25519 private key, base64 in JSON
}

// GenerateKey makes a new operator key pair.
func GenerateKey(id string) (PrivateKeyFile, KeyConfig, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return PrivateKeyFile{}, KeyConfig{}, err
	}
	return PrivateKeyFile{KeyID: id, PrivateKey: priv}, KeyConfig{ID: id, PublicKey: base64.StdEncoding.EncodeToString(pub)}, nil
}

// LoadPrivateKey reads a key file written by `netbeat ctl keygen`.
func LoadPrivateKey(path string) (string, ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, fmt.Errorf("control: reading the operator key failed: %w (make one with `netbeat ctl keygen`)", err)
	}
	var f PrivateKeyFile
	if err := json.Unmarshal(data, &f); err != nil || len(f.PrivateKey) != ed25519.PrivateKeySize || f.KeyID == "" {
		return "", nil, fmt.Errorf("control: %s is not a key file written by `netbeat ctl keygen`", path)
	}
	return f.KeyID, ed25519.PrivateKey(f.PrivateKey), nil
}

// ParseKeys turns netbeat.control.keys into the Verifier's map.
func ParseKeys(keys []KeyConfig) (map[string]ed25519.PublicKey, error) {
	m := map[string]ed25519.PublicKey{}
	for i, k := range keys {
		if k.ID == "" {
			return nil, fmt.Errorf("netbeat.control.keys.%d.id is empty: name the operator key (the id `ctl keygen` printed)", i)
		}
		b, err := base64.StdEncoding.DecodeString(k.PublicKey)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("netbeat.control.keys.%d.public_key is not a base64 Ed25519 public key (32 bytes): paste the public_key line `netbeat ctl keygen` printed", i)
		}
		if _, dup := m[k.ID]; dup {
			return nil, fmt.Errorf("netbeat.control.keys.%d.id %q appears twice", i, k.ID)
		}
		m[k.ID] = b
	}
	return m, nil
}
