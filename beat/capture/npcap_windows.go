//go:build windows

package capture

import "github.com/google/gopacket/pcap"

// pcapAvailable reports a clear error when Npcap's wpcap.dll cannot be loaded.
func pcapAvailable() error {
	if _, err := pcap.FindAllDevs(); err != nil {
		return errorf("Npcap is not available (%v): install Npcap from https://npcap.com (WinPcap-compatible mode) and restart netbeat", err)
	}
	return nil
}
