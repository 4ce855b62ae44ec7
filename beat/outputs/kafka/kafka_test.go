//go:build !integration

package kafka

import (
	_ "embed"
	"testing"

	"github.com/elastic/beats/v7/libbeat/outputs"
	"github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
)

//go:embed sample.yml
var sampleYML string

func TestSampleConfigIsValid(t *testing.T) {
	raw, err := config.NewConfigWithYAML([]byte(sampleYML), "sample.yml")
	if err != nil {
		t.Fatal(err)
	}
	sub, err := raw.Child("output.franz", -1)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := readConfig(sub)
	if err != nil {
		t.Fatalf("sample.yml does not validate: %v", err)
	}
	def := defaultConfig()
	if fc.BulkMaxSize != def.BulkMaxSize || fc.Timeout != def.Timeout || fc.Compression != def.Compression {
		t.Errorf("sample.yml drifted from defaultConfig: %+v", fc)
	}
}

func TestFactoryRegisteredWithBackoff(t *testing.T) {
	info := testInfo
	info.Logger = logp.NewNopLogger()
	grp, err := outputs.Load(nil, info, nil, TypeName, config.MustNewConfigFrom(map[string]any{
		"hosts": []string{"127.0.0.1:9092"}, "topic": "t", "bulk_max_size": 100, "max_retries": -1,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(grp.Clients) != 1 || grp.BatchSize != 100 || grp.Retry != -1 {
		t.Fatalf("group = %+v", grp)
	}
	if _, ok := grp.Clients[0].(interface{ Client() outputs.NetworkClient }); !ok {
		t.Errorf("client %T is not wrapped with outputs.WithBackoff", grp.Clients[0])
	}
	if s := grp.Clients[0].String(); s != "backoff(franz(127.0.0.1:9092))" {
		t.Errorf("String() = %q", s)
	}
}
