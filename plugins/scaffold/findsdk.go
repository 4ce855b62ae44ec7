package scaffold

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// SDKEnv names the environment variable that points `plugin new` at an SDK
// directory (like the --sdk flag).
const SDKEnv = "NETBEAT_SDK"

// SystemSDK is where the deb and rpm packages install the SDK's source.
const SystemSDK = "/usr/share/netbeat/sdk"

// FindSDK returns the directory of the SDK module `plugin new` uses. An
// explicit directory (--sdk, else $NETBEAT_SDK, else --netbeat-src's
// plugins/sdk) must hold the SDK. Otherwise it looks next to the netbeat
// executable exe (symbolic links resolved): sdk/ beside it (.tar.gz and
// .zip), ../sdk (deb and rpm: /usr/share/netbeat/bin/netbeat), plugins/sdk
// (a netbeat built in its source tree), then /usr/share/netbeat/sdk.
func FindSDK(flagDir, netbeatSrc, exe string) (string, error) {
	explicit := []struct{ dir, from string }{
		{flagDir, "--sdk"}, {os.Getenv(SDKEnv), "$" + SDKEnv},
	}
	if netbeatSrc != "" {
		explicit = append(explicit, struct{ dir, from string }{filepath.Join(netbeatSrc, "plugins", "sdk"), "--netbeat-src"})
	}
	for _, e := range explicit {
		if e.dir == "" {
			continue
		}
		if err := isSDK(e.dir); err != nil {
			return "", fmt.Errorf("%s: %w", e.from, err)
		}
		return filepath.Abs(e.dir)
	}
	var tried []string
	if exe != "" {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		d := filepath.Dir(exe)
		tried = append(tried, filepath.Join(d, "sdk"), filepath.Join(filepath.Dir(d), "sdk"), filepath.Join(d, "plugins", "sdk"))
	}
	tried = append(tried, SystemSDK)
	for _, dir := range tried {
		if isSDK(dir) == nil {
			return filepath.Abs(dir)
		}
	}
	return "", fmt.Errorf("the netbeat plugin SDK was not found in %s; the netbeat packages install it "+
		"(%s with deb and rpm, sdk/ in the .tar.gz and .zip): point to it with --sdk DIR or %s=DIR, "+
		"or to a netbeat source tree with --netbeat-src DIR", strings.Join(tried, ", "), SystemSDK, SDKEnv)
}

// isSDK says why dir is not the SDK module's directory (nil if it is).
func isSDK(dir string) error {
	path := filepath.Join(dir, "go.mod")
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s is not the netbeat plugin SDK: %w", dir, err)
	}
	if mp := modfile.ModulePath(b); mp != SDKModule {
		return fmt.Errorf("%s is module %q, not the netbeat plugin SDK (%s)", path, mp, SDKModule)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.sum")); err != nil {
		return fmt.Errorf("the netbeat plugin SDK in %s has no go.sum: %w", dir, err)
	}
	return nil
}
