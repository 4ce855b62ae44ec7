//go:build windows

package capture

import "github.com/google/gopacket/pcap"

// ListDevices lists Npcap devices (\Device\NPF_{GUID} names).
func ListDevices() ([]Device, error) {
	if err := pcapAvailable(); err != nil {
		return nil, err
	}
	ifs, err := pcap.FindAllDevs()
	if err != nil {
		return nil, errorf("listing Npcap devices failed: %w", err)
	}
	out := make([]Device, 0, len(ifs))
	for _, i := range ifs {
		d := Device{Name: i.Name, Description: i.Description, Up: true}
		for _, a := range i.Addresses {
			d.Addresses = append(d.Addresses, a.IP.String())
		}
		out = append(out, d)
	}
	return out, nil
}
