package kafka

import (
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/transport/tlscommon"
)

// ConnConfig is the connection part of output.franz's options: what another
// franz-go client of netbeat (the control plane, central mode's input) needs
// to reach the same cluster the same way. Sections that take these keys
// embed it inline, so that a misspelt key is an error there too.
type ConnConfig struct {
	Hosts    []string          `config:"hosts"`
	ClientID string            `config:"client_id"`
	Timeout  time.Duration     `config:"timeout"`
	TLS      *tlscommon.Config `config:"ssl"`
	Sasl     saslConfig        `config:"sasl"`
	Username string            `config:"username"`
	Password string            `config:"password"`
}

// ConnOptions reads hosts, client_id, timeout, ssl.*, username, password and
// sasl.mechanism from cfg (an output.franz section or one written like it;
// other keys are ignored) and returns the franz-go options that connect as
// output.franz would: seed brokers, client id, dial timeout, TLS and SASL.
func ConnOptions(cfg *config.C, log *logp.Logger) ([]kgo.Opt, error) {
	c := ConnConfig{ClientID: "netbeat", Timeout: 30 * time.Second}
	if err := cfg.Unpack(&c); err != nil {
		return nil, errorf("reading the connection settings failed: %w", err)
	}
	if len(c.Hosts) == 0 {
		return nil, errorf("hosts: at least one broker is required")
	}
	return dialOptions(&franzConfig{Hosts: c.Hosts, ClientID: c.ClientID, Timeout: c.Timeout,
		TLS: c.TLS, Sasl: c.Sasl, Username: c.Username, Password: c.Password}, log)
}

// dialOptions are the franz-go options that reach the cluster as
// output.franz does: seed brokers, client id, dial timeout, the logger, TLS
// and SASL. output.franz (kgoOptions) and ConnOptions both start from them.
func dialOptions(cfg *franzConfig, log *logp.Logger) ([]kgo.Opt, error) {
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Hosts...),
		kgo.ClientID(cfg.ClientID),
		kgo.DialTimeout(cfg.Timeout),
		kgo.WithLogger(kgoLogger{log: log}),
	}
	if cfg.TLS != nil && cfg.TLS.IsEnabled() {
		tlsCfg, err := tlscommon.LoadTLSConfig(cfg.TLS, log)
		if err != nil {
			return nil, errorf("loading ssl settings failed: %w", err)
		}
		opts = append(opts, kgo.DialTLSConfig(tlsCfg.BuildModuleClientConfig("", tlscommon.WithLogger(log))))
	}
	if mech := saslMechanism(cfg); mech != nil {
		opts = append(opts, kgo.SASL(mech))
	}
	return opts, nil
}
