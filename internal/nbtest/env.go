package nbtest

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// EnvOf returns key from the environment or from the env file a broker
// script writes (file, relative to the repository; re-read on every call:
// `kafka.sh resume` rewrites it), failing the test, never skipping it, when
// neither has it.
func EnvOf(t testing.TB, key, file, script string) string {
	t.Helper()
	if v := os.Getenv(key); v != "" {
		return v
	}
	f, err := os.Open(filepath.Join(RepoRoot(t), file))
	if err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
			if ok && k == key && v != "" {
				return v
			}
		}
	}
	t.Fatalf("%s is not set and %s lacks it: run `bash %s start` first", key, file, script)
	return ""
}

// KafkaEnv is NETBEAT_KAFKA_<name> of the single test broker
// (scripts/kafka.sh, .cache/kafka/run/env): PLAINTEXT, SSL, CA, …
func KafkaEnv(t testing.TB, name string) string {
	t.Helper()
	return EnvOf(t, "NETBEAT_KAFKA_"+name, ".cache/kafka/run/env", "scripts/kafka.sh")
}
