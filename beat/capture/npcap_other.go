//go:build !windows

package capture

func pcapAvailable() error { return nil }
