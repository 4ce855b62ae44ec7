package cmd

import (
	"errors"
	"flag"
	"fmt"
	"os"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/logp/configure"
)

// libbeat reports the error that ends a run twice, to the log and to stderr
// ("Exiting: …"), so with the log on stderr (-e, systemd, containers, the
// built-in -I configuration) every fatal error appeared twice. During `run`
// the creator and the Beater returned by reportOnce hand their error to
// runFatal and give libbeat GracefulExit instead; run then reports it once.
var (
	deferFatal bool  // set by run: report the error ourselves
	runFatal   error // the error that ended the run
	logStderr  bool  // the log goes to stderr (set when the built-in config is used)
)

// reportOnce wraps a Beater creator for deferFatal (a no-op otherwise, e.g.
// for `test config`, which must still fail through libbeat).
func reportOnce(create libbeat.Creator) libbeat.Creator {
	return func(b *libbeat.Beat, c *conf.C) (libbeat.Beater, error) {
		bt, err := create(b, c)
		if !deferFatal {
			return bt, err
		}
		if err != nil {
			runFatal = err
			return nil, libbeat.GracefulExit
		}
		return &onceBeater{Beater: bt}, nil
	}
}

type onceBeater struct{ libbeat.Beater }

func (o *onceBeater) Run(b *libbeat.Beat) error {
	if err := o.Beater.Run(b); err != nil && !errors.Is(err, libbeat.GracefulExit) {
		runFatal = err
		return libbeat.GracefulExit
	}
	return nil
}

// reportFatal prints the error that ended the run once: on stderr, and in
// the log as well when the log is not on stderr.
func reportFatal(err error) {
	if !logStderr && !logsToStderr() {
		logp.NewLogger("").Errorf("Exiting: %v", err)
	}
	fmt.Fprintf(os.Stderr, "Exiting: %v\n", err)
}

// logsToStderr reports whether -e or the environment sends the log to stderr.
func logsToStderr() bool {
	if f := flag.Lookup("e"); f != nil && f.Value.String() == "true" {
		return true
	}
	switch configure.GetEnvironment() {
	case logp.SystemdEnvironment, logp.ContainerEnvironment:
		return true
	}
	return false
}
