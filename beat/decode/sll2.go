package decode

import (
	"encoding/binary"
	"fmt"
	"net"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// LayerTypeLinuxSLL2 is the Linux "cooked" capture v2 header (DLT_LINUX_SLL2),
// which tcpdump writes for `-i any` since libpcap 1.10.
var LayerTypeLinuxSLL2 = gopacket.RegisterLayerType(2761, gopacket.LayerTypeMetadata{Name: "LinuxSLL2"})

// LinuxSLL2 is a decoded SLL2 header: 20 bytes, protocol first.
type LinuxSLL2 struct {
	layers.BaseLayer
	EthernetType   layers.EthernetType
	InterfaceIndex uint32
	ARPHType       uint16
	PacketType     layers.LinuxSLLPacketType
	AddrLen        uint8
	Addr           net.HardwareAddr
}

// LayerType implements gopacket.Layer.
func (s *LinuxSLL2) LayerType() gopacket.LayerType { return LayerTypeLinuxSLL2 }

// CanDecode implements gopacket.DecodingLayer.
func (s *LinuxSLL2) CanDecode() gopacket.LayerClass { return LayerTypeLinuxSLL2 }

// NextLayerType implements gopacket.DecodingLayer.
func (s *LinuxSLL2) NextLayerType() gopacket.LayerType { return s.EthernetType.LayerType() }

// DecodeFromBytes implements gopacket.DecodingLayer.
func (s *LinuxSLL2) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 20 {
		df.SetTruncated()
		return fmt.Errorf("SLL2 header needs 20 bytes, have %d", len(data))
	}
	s.EthernetType = layers.EthernetType(binary.BigEndian.Uint16(data[0:2]))
	s.InterfaceIndex = binary.BigEndian.Uint32(data[4:8])
	s.ARPHType = binary.BigEndian.Uint16(data[8:10])
	s.PacketType = layers.LinuxSLLPacketType(data[10])
	s.AddrLen = data[11]
	n := int(s.AddrLen)
	if n > 8 {
		n = 8
	}
	s.Addr = net.HardwareAddr(data[12 : 12+n])
	s.BaseLayer = layers.BaseLayer{Contents: data[:20], Payload: data[20:]}
	return nil
}
