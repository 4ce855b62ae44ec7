//go:build !windows

package capture

import "net"

// ListDevices lists the host's interfaces (the names af_packet and pcap take).
func ListDevices() ([]Device, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, errorf("listing interfaces failed: %w", err)
	}
	out := make([]Device, 0, len(ifs)+1)
	for _, i := range ifs {
		d := Device{Name: i.Name, Up: i.Flags&net.FlagUp != 0}
		if addrs, err := i.Addrs(); err == nil {
			for _, a := range addrs {
				d.Addresses = append(d.Addresses, a.String())
			}
		}
		out = append(out, d)
	}
	out = append(out, Device{Name: "any", Description: "all interfaces (Linux cooked capture)", Up: true})
	return out, nil
}
