#!/usr/bin/env bash
# The independent oracle for netbeat's decoder tests: tshark's field export of
# one capture, as TSV with a header. IP reassembly is off so every fragment is
# reported on its own (netbeat decodes packets one at a time), and the
# Community ID post-dissector is on. Usage: tshark-fields.sh FILE > FILE.tshark.tsv
set -euo pipefail
exec tshark -r "$1" -o ip.defragment:FALSE -o ipv6.defragment:FALSE --enable-protocol communityid \
	-T fields -E header=y -E separator=/t -E occurrence=f \
	-e frame.number -e frame.len -e frame.cap_len -e frame.protocols -e eth.src -e eth.dst \
	-e ieee8021ad.id -e vlan.id -e ip.src -e ip.dst -e ip.proto -e ip.ttl -e ipv6.src -e ipv6.dst -e ipv6.nxt \
	-e tcp.srcport -e tcp.dstport -e tcp.flags -e tcp.seq_raw -e tcp.ack_raw -e tcp.window_size_value \
	-e udp.srcport -e udp.dstport -e icmp.type -e icmp.code -e icmpv6.type -e icmpv6.code \
	-e arp.opcode -e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 -e communityid \
	2> >(grep -v 'Running as user "root"' >&2)
