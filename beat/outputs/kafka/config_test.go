//go:build !integration

package kafka

import (
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/elastic/elastic-agent-libs/config"
)

func TestConfigDefaults(t *testing.T) {
	fc, err := readConfig(config.MustNewConfigFrom(map[string]any{"hosts": []string{"k:9092"}, "topic": "t"}))
	if err != nil {
		t.Fatal(err)
	}
	if fc.RequiredACKs != 1 || fc.Compression != "lz4" || fc.CompressionLevel != nil || fc.BulkMaxSize != 2048 ||
		fc.MaxMessageBytes != 1000000 || fc.MaxRetries != 3 || fc.idempotent() {
		t.Errorf("unexpected defaults: %+v", fc)
	}
	// The idempotent producer is the default wherever it is possible.
	for _, tc := range []struct {
		kv   map[string]any
		want bool
	}{
		{map[string]any{"required_acks": -1}, true},
		{map[string]any{"required_acks": -1, "idempotent": false}, false},
		{map[string]any{"required_acks": 1}, false},
		{map[string]any{"required_acks": 0}, false},
	} {
		tc.kv["hosts"], tc.kv["topic"] = []string{"k:9092"}, "t"
		fc, err := readConfig(config.MustNewConfigFrom(tc.kv))
		if err != nil {
			t.Fatalf("%v: %v", tc.kv, err)
		}
		if got := fc.idempotent(); got != tc.want {
			t.Errorf("%v: idempotent() = %v, want %v", tc.kv, got, tc.want)
		}
	}
	if fc.Key == nil {
		t.Error("key must default to the community id")
	}
}

func TestConfigValidation(t *testing.T) {
	base := func(kv ...any) map[string]any {
		m := map[string]any{"hosts": []string{"k:9092"}, "topic": "t"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name string
		cfg  map[string]any
		want string
	}{
		{"no hosts", map[string]any{"topic": "t"}, "hosts"},
		{"no topic", map[string]any{"hosts": []string{"k:9092"}}, "topic"},
		{"compression", base("compression", "brotli"), "compression"},
		{"gzip level", base("compression", "gzip", "compression_level", 12), "compression_level"},
		{"zstd level", base("compression", "zstd", "compression_level", 0), "out of range for zstd"},
		{"acks", base("required_acks", 2), "required_acks"},
		{"idempotent", base("idempotent", true), "required_acks: -1"},
		{"sasl mechanism", base("sasl.mechanism", "GSSAPI", "username", "u", "password", "p"), "sasl.mechanism"},
		{"password", base("username", "u"), "password"},
		{"partition", base("partition.sticky", map[string]any{}), "partition"},
		{"bulk", base("bulk_max_size", 0), "bulk_max_size"},
		{"retries", base("max_retries", -2), "max_retries"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readConfig(config.MustNewConfigFrom(tc.cfg))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "kafka output:") {
				t.Errorf("err %q lacks the component prefix", err)
			}
		})
	}
	_, err := readConfig(config.MustNewConfigFrom(base("idempotent", true)))
	// go-ucfg flattens Validate errors, so match the sentinel's text.
	if err == nil || !strings.Contains(err.Error(), ErrIdempotentAcks.Error()) {
		t.Errorf("idempotent without acks=-1: err = %v, want ErrIdempotentAcks", err)
	}
	if _, err := readConfig(config.MustNewConfigFrom(base("idempotent", true, "required_acks", -1, "sasl.mechanism", "scram-sha-512", "username", "u", "password", "p"))); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
}

func TestConfigUnknownOptions(t *testing.T) {
	for _, tc := range []struct {
		cfg  map[string]any
		want string
	}{
		{map[string]any{"hosts": []string{"k:9092"}, "topic": "t", "compresion": "gzip"}, "unknown option output.franz.compresion; did you mean compression?"},
		{map[string]any{"hosts": []string{"k:9092"}, "topic": "t", "backoff.inti": "1s"}, "unknown option output.franz.backoff.inti; did you mean init?"},
		{map[string]any{"hosts": []string{"k:9092"}, "topic": "t", "headers": []any{map[string]any{"key": "a", "vaule": "b"}}}, "unknown option output.franz.headers.0.vaule; did you mean value?"},
		{map[string]any{"hots": []string{"k:9092"}, "topic": "t"}, "unknown option output.franz.hots; did you mean hosts?"},
	} {
		_, err := readConfig(config.MustNewConfigFrom(tc.cfg))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.cfg, err, tc.want)
		}
	}
	ok := map[string]any{"hosts": []string{"k:9092"}, "topic": "t", "enabled": true, "worker": 1,
		"version": "2.1.0", "keep_alive": "10s", "metadata.retry.max": 3, "metadata.full": false, "metadata.refresh_frequency": "1m",
		"codec.json.pretty": true, "partition.hash": map[string]any{"reachable_only": true}, "queue.mem.events": 10,
		"ssl.verification_mode": "none", "key": "%{[a]}", "topics": []any{map[string]any{"topic": "x", "when.equals.a": 1}}}
	c := config.MustNewConfigFrom(ok)
	if _, err := readConfig(c); err != nil {
		t.Errorf("known options rejected: %v", err)
	}
	if got := strings.Join(ignoredSaramaOptions(c), ","); got != "keep_alive,metadata.full,metadata.retry,version" {
		t.Errorf("ignored sarama options = %q", got)
	}
}

// compression_level means each codec's own levels, and an unset level is the
// codec's default: gzip's 4 must not reach zstd, where franz-go's level 4 is
// klauspost/compress's best (and slowest) compression.
func TestCompressionLevels(t *testing.T) {
	level := func(kv ...any) *franzConfig {
		t.Helper()
		m := map[string]any{"hosts": []string{"k:9092"}, "topic": "t"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		fc, err := readConfig(config.MustNewConfigFrom(m))
		if err != nil {
			t.Fatal(err)
		}
		return fc
	}
	if got := gzipLevel(level("compression", "gzip")); got != 4 {
		t.Errorf("gzip default level = %d, want 4", got)
	}
	if got := gzipLevel(level("compression", "gzip", "compression_level", 9)); got != 9 {
		t.Errorf("gzip level 9 = %d", got)
	}
	if got := zstdLevel(level("compression", "zstd")); got != zstd.SpeedFastest {
		t.Errorf("zstd default level = %v, want %v", got, zstd.SpeedFastest)
	}
	if got := zstdLevel(level("compression", "zstd", "compression_level", 4)); got != zstd.SpeedDefault {
		t.Errorf("zstd level 4 = %v, want %v (zstd's 4 is its default speed)", got, zstd.SpeedDefault)
	}
	if got := zstdLevel(level("compression", "zstd", "compression_level", 19)); got != zstd.SpeedBestCompression {
		t.Errorf("zstd level 19 = %v, want %v", got, zstd.SpeedBestCompression)
	}
}
