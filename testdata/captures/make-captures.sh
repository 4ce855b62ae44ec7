#!/usr/bin/env bash
# Regenerates the packet captures in this folder from REAL traffic produced by
# real programs (python3 http.server, curl, dnsmasq, dig, ping, arping) on this
# machine.  Traffic only ever goes over loopback (127.0.0.1, ::1) or over veth
# pairs between network namespaces this script creates itself (10.77.x.x,
# fd77::x) and deletes again on exit.
#
# Needs root.  Debian packages: tcpdump tshark (wireshark-common: editcap,
# capinfos, dumpcap) dnsutils curl iputils-ping iputils-arping iproute2
# dnsmasq-base python3.
#
# Usage: sudo testdata/captures/make-captures.sh
# Idempotent: every output file is rewritten; stale namespaces of an earlier
# interrupted run are deleted first.
set -euo pipefail

OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$(command -v python3)"
NS_PREFIX=nbcap
HTTP_PORT=8080      # tshark decodes 8080 as HTTP by default
DNS_PORT=53         # tshark decodes 53 as DNS
CLOSED_TCP=39998    # nothing may listen here
CLOSED_UDP=39999

if [[ $EUID -ne 0 ]]; then
	echo "make-captures.sh: must run as root" >&2
	exit 1
fi
for tool in tcpdump tshark editcap capinfos dumpcap dig curl ping arping ip dnsmasq ss; do
	command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done

WORK="$(mktemp -d /tmp/nbcap.XXXXXX)"
PIDS=()

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	del_namespaces
	rm -rf "$WORK"
}

del_namespaces() {
	local ns
	for ns in $(ip netns list | awk '{print $1}' | grep "^${NS_PREFIX}-" || true); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
		ip netns del "$ns"
	done
}
trap cleanup EXIT

forget_pid() { # pid: drop a reaped pid so cleanup never signals a reused one
	local p keep=()
	for p in "${PIDS[@]}"; do [[ "$p" == "$1" ]] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}

port_free() { # proto port
	[[ -z "$(ss -H -l "-$1" -n "sport = :$2")" ]]
}

wait_listen() { # proto port [netns]
	local i
	for i in $(seq 100); do
		if [[ -n "${3:-}" ]]; then
			[[ -n "$(ip netns exec "$3" ss -H -l "-$1" -n "sport = :$2")" ]] && return 0
		else
			[[ -n "$(ss -H -l "-$1" -n "sport = :$2")" ]] && return 0
		fi
		sleep 0.1
	done
	echo "server on $1/$2 did not come up" >&2
	exit 1
}

# --- capture helpers -------------------------------------------------------
CAP_PID=""
# start_cap OUTFILE [netns] -- tcpdump/dumpcap args...
start_cap() {
	local file="$1" ns="" log
	shift
	if [[ "$1" != "--" ]]; then ns="$1"; shift; fi
	shift # --
	log="$WORK/cap.$(basename "$file").log"
	rm -f "$file"
	local -a pre=()
	[[ -n "$ns" ]] && pre=(ip netns exec "$ns")
	if [[ "$file" == *.pcapng ]]; then
		"${pre[@]}" dumpcap -q -w "$file" "$@" 2>"$log" &
	else
		"${pre[@]}" tcpdump -Z root -U --immediate-mode -s 0 -w "$file" "$@" 2>"$log" &
	fi
	CAP_PID=$!
	PIDS+=("$CAP_PID")
	local i
	for i in $(seq 100); do
		grep -qE 'listening on|Capturing on' "$log" 2>/dev/null && { sleep 0.3; return 0; }
		sleep 0.1
	done
	cat "$log" >&2
	echo "capture for $file did not start" >&2
	exit 1
}

stop_cap() {
	sleep 1 # let the last packets arrive
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || true
	forget_pid "$CAP_PID"
	CAP_PID=""
}

# --- namespace helpers -----------------------------------------------------
# mkpair NAME [ipv6]: namespaces ${NS_PREFIX}-NAME-a and -b joined by a veth
# pair called veth0 on both sides, fixed MACs 02:77:00:00:00:0a / :0b.
# IPv6 is disabled unless the 2nd argument is "ipv6" (no ND/MLD noise).
mkpair() {
	local name="$1" v6="${2:-}" a="${NS_PREFIX}-$1-a" b="${NS_PREFIX}-$1-b" ns
	for ns in "$a" "$b"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		if [[ "$v6" == ipv6 ]]; then
			ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
				net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.default.accept_ra=0
		else
			ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
				net.ipv6.conf.default.disable_ipv6=1
		fi
	done
	ip link add veth0 netns "$a" address 02:77:00:00:00:0a type veth \
		peer name veth0 netns "$b" address 02:77:00:00:00:0b
	ip -n "$a" link set veth0 up
	ip -n "$b" link set veth0 up
}

flush_neigh() { # ns...
	local ns
	for ns in "$@"; do ip -n "$ns" neigh flush all; done
}

write_tsv() { # file: the oracle command lives in tshark-fields.sh
	"$OUT/tshark-fields.sh" "$1" >"$1.tshark.tsv"
}

# --- start --------------------------------------------------------------------
del_namespaces
cd "$OUT"
rm -f -- *.pcap *.pcapng *.tshark.tsv

for p in "t $HTTP_PORT" "u $DNS_PORT" "t $DNS_PORT" "t $CLOSED_TCP" "u $CLOSED_UDP"; do
	# shellcheck disable=SC2086
	port_free $p || { echo "port $p is in use; stop whatever uses it" >&2; exit 1; }
done

mkdir -p "$WORK/www"
printf 'Hello from netbeat test capture.\n' >"$WORK/www/hello.txt"
printf '<!doctype html><title>netbeat</title><p>It works.</p>\n' >"$WORK/www/index.html"

# Loopback servers shared by several captures.
"$PY" -m http.server "$HTTP_PORT" --bind 127.0.0.1 --directory "$WORK/www" >"$WORK/http4.log" 2>&1 &
PIDS+=($!)
"$PY" -m http.server "$HTTP_PORT" --bind ::1 --directory "$WORK/www" >"$WORK/http6.log" 2>&1 &
PIDS+=($!)
dnsmasq --no-daemon --no-resolv --no-hosts --pid-file= --user=root --bind-interfaces \
	--port="$DNS_PORT" --listen-address=127.0.0.1 --listen-address=::1 \
	--local=/test/ --address=/example.test/10.77.0.9 --address=/example.test/fd77::9 \
	--log-queries --log-facility=- >"$WORK/dnsmasq.log" 2>&1 &
PIDS+=($!)
wait_listen t "$HTTP_PORT"
wait_listen u "$DNS_PORT"
sleep 0.5

CURL=(curl -sS -o /dev/null --max-time 5)
DIG=(dig -p "$DNS_PORT" +tries=1 +time=2)

# 1. http4.pcap -------------------------------------------------------------
start_cap http4.pcap -- -i lo "tcp port $HTTP_PORT and host 127.0.0.1"
"${CURL[@]}" "http://127.0.0.1:$HTTP_PORT/hello.txt"
"${CURL[@]}" "http://127.0.0.1:$HTTP_PORT/hello.txt"
stop_cap

# 2. http6.pcapng (dumpcap writes pcapng natively) ---------------------------
start_cap http6.pcapng -- -i lo -f "tcp port $HTTP_PORT and ip6 host ::1"
"${CURL[@]}" "http://[::1]:$HTTP_PORT/hello.txt"
"${CURL[@]}" "http://[::1]:$HTTP_PORT/index.html"
stop_cap

# 3. dns.pcap -----------------------------------------------------------------
start_cap dns.pcap -- -i lo "port $DNS_PORT"
"${DIG[@]}" @127.0.0.1 example.test A >/dev/null
"${DIG[@]}" @127.0.0.1 example.test AAAA >/dev/null
"${DIG[@]}" @127.0.0.1 missing.test A >/dev/null      # NXDOMAIN (--local=/test/)
"${DIG[@]}" @::1 www.example.test AAAA >/dev/null     # over IPv6 transport
"${DIG[@]}" @127.0.0.1 +tcp example.test A >/dev/null # DNS over TCP
stop_cap

# 4. icmp.pcap ----------------------------------------------------------------
start_cap icmp.pcap -- -i lo "icmp or icmp6"
ping -q -c 3 -i 0.2 127.0.0.1 >/dev/null
ping -q -6 -c 3 -i 0.2 ::1 >/dev/null
stop_cap

# vlan_setup NAME ADDR_A ADDR_B TPID:VID... (outermost tag first)
# Joins namespaces NAME-a/NAME-b by a veth "veth0" (the trunk) and gives each
# side an interface $VIF carrying the address whose frames leave veth0 with
# the given tag stack.  Uses kernel VLAN subinterfaces (ip link ... type vlan)
# when the kernel has 8021q; otherwise (CONFIG_VLAN_8021Q unset, as on the
# machine these files were made on) a TAP device holds the address and
# vlan_trunk.py inserts/strips the tags between the TAP and veth0.
VLAN_MODE=""
vlan_setup() {
	local name="$1" addr_a="$2" addr_b="$3" ns spec parent vid proto i
	shift 3
	mkpair "$name"
	local a="${NS_PREFIX}-$name-a" b="${NS_PREFIX}-$name-b"
	if ip -n "$a" link add link veth0 name vlanprobe type vlan id 4094 2>/dev/null; then
		ip -n "$a" link del vlanprobe
		VLAN_MODE="kernel 802.1Q/802.1ad subinterfaces"
		for ns in "$a" "$b"; do
			parent=veth0
			for spec in "$@"; do
				vid=$((${spec##*:}))
				proto=802.1Q
				[[ $((${spec%%:*})) -eq $((0x88a8)) ]] && proto=802.1ad
				ip -n "$ns" link add link "$parent" name "$parent.$vid" type vlan protocol "$proto" id "$vid"
				ip -n "$ns" link set "$parent.$vid" up
				parent="$parent.$vid"
			done
		done
		VIF="$parent"
	else
		VLAN_MODE="kernel without 8021q: TAP + vlan_trunk.py tagging onto the veth"
		i=0
		for ns in "$a" "$b"; do
			ip -n "$ns" link set veth0 mtu 1508
			ip netns exec "$ns" ip tuntap add dev tap0 mode tap
			ip -n "$ns" link set tap0 address "02:77:00:00:01:0$((i++))"
			ip netns exec "$ns" "$PY" "$OUT/vlan_trunk.py" tap0 veth0 "$@" >"$WORK/trunk-$ns.log" 2>&1 &
			PIDS+=($!)
		done
		sleep 0.5
		ip -n "$a" link set tap0 up
		ip -n "$b" link set tap0 up
		VIF=tap0
	fi
	ip -n "$a" addr add "$addr_a" dev "$VIF"
	ip -n "$b" addr add "$addr_b" dev "$VIF"
}

# 5. vlan.pcap: 802.1Q id 100 over a veth between two namespaces --------------
vlan_setup vlan 10.77.100.1/24 10.77.100.2/24 0x8100:100
A=${NS_PREFIX}-vlan-a B=${NS_PREFIX}-vlan-b
ip netns exec "$B" "$PY" -m http.server "$HTTP_PORT" --bind 10.77.100.2 --directory "$WORK/www" \
	>"$WORK/http-vlan.log" 2>&1 &
PIDS+=($!)
wait_listen t "$HTTP_PORT" "$B"
sleep 0.5
flush_neigh "$A" "$B"
start_cap vlan.pcap "$A" -- -i veth0
ip netns exec "$A" ping -q -c 2 -i 0.2 10.77.100.2 >/dev/null
ip netns exec "$A" "${CURL[@]}" "http://10.77.100.2:$HTTP_PORT/hello.txt"
stop_cap

# 6. qinq.pcap: 802.1ad outer id 200, 802.1Q inner id 300 ----------------------
vlan_setup qinq 10.77.200.1/24 10.77.200.2/24 0x88a8:200 0x8100:300
A=${NS_PREFIX}-qinq-a B=${NS_PREFIX}-qinq-b
sleep 0.5
flush_neigh "$A" "$B"
start_cap qinq.pcap "$A" -- -i veth0
ip netns exec "$A" ping -q -c 3 -i 0.2 10.77.200.2 >/dev/null
stop_cap

# 7. arp.pcap: untagged veth, ARP via ping and arping ---------------------------
mkpair arp
A=${NS_PREFIX}-arp-a B=${NS_PREFIX}-arp-b
ip -n "$A" addr add 10.77.1.1/24 dev veth0
ip -n "$B" addr add 10.77.1.2/24 dev veth0
sleep 0.5
flush_neigh "$A" "$B"
start_cap arp.pcap "$A" -- -i veth0
ip netns exec "$A" ping -q -c 2 -i 0.2 10.77.1.2 >/dev/null
ip netns exec "$A" arping -q -c 2 -I veth0 10.77.1.2 >/dev/null || true
stop_cap

# 8. frag.pcap: 4000-byte pings over a 1500-MTU veth (IPv4 + IPv6 fragments) ---
mkpair frag ipv6
A=${NS_PREFIX}-frag-a B=${NS_PREFIX}-frag-b
ip -n "$A" addr add 10.77.2.1/24 dev veth0
ip -n "$B" addr add 10.77.2.2/24 dev veth0
ip -n "$A" addr add fd77:2::1/64 dev veth0 nodad
ip -n "$B" addr add fd77:2::2/64 dev veth0 nodad
sleep 3 # let link-up MLD reports pass before capturing
flush_neigh "$A" "$B"
start_cap frag.pcap "$A" -- -i veth0 "ip or ip6 or arp"
ip netns exec "$A" ping -q -c 2 -i 0.2 -s 4000 10.77.2.2 >/dev/null
ip netns exec "$A" ping -q -6 -c 2 -i 0.2 -s 4000 fd77:2::2 >/dev/null
stop_cap
del_namespaces

# 9. sll.pcap / sll2.pcap: "any" pseudo-interface -----------------------------
for lt in LINUX_SLL LINUX_SLL2; do
	f=$(echo "$lt" | tr 'A-Z' 'a-z' | sed 's/linux_//').pcap
	start_cap "$f" -- -i any -y "$lt" "(tcp port $HTTP_PORT and host 127.0.0.1) or icmp"
	"${CURL[@]}" "http://127.0.0.1:$HTTP_PORT/hello.txt"
	ping -q -c 2 -i 0.2 127.0.0.1 >/dev/null
	stop_cap
done

# 10. rst.pcap: closed TCP port (RST,ACK) and closed UDP port (ICMP unreachable)
start_cap rst.pcap -- -i lo "port $CLOSED_TCP or port $CLOSED_UDP or icmp or icmp6"
"${CURL[@]}" "http://127.0.0.1:$CLOSED_TCP/" 2>/dev/null || true
"${CURL[@]}" "http://[::1]:$CLOSED_TCP/" 2>/dev/null || true
dig @127.0.0.1 -p "$CLOSED_UDP" +tries=1 +time=1 example.test A >/dev/null || true
dig @::1 -p "$CLOSED_UDP" +tries=1 +time=1 example.test A >/dev/null || true
stop_cap

# 12. mixed.pcapng: concurrent curls, digs and pings on lo for ~2 s -----------
start_cap mixed.pcapng -- -i lo -f "port $HTTP_PORT or port $DNS_PORT or icmp or icmp6"
(
	ping -q -c 6 -i 0.3 127.0.0.1 >/dev/null &
	ping -q -6 -c 6 -i 0.3 ::1 >/dev/null &
	for i in 1 2 3; do
		"${CURL[@]}" "http://127.0.0.1:$HTTP_PORT/hello.txt"
		sleep 0.3
		"${CURL[@]}" "http://[::1]:$HTTP_PORT/index.html"
		sleep 0.3
	done &
	for name in example.test www.example.test missing.test; do
		"${DIG[@]}" @127.0.0.1 "$name" A >/dev/null
		sleep 0.2
		"${DIG[@]}" @::1 "$name" AAAA >/dev/null
		sleep 0.2
	done &
	(sleep 1; "${DIG[@]}" @127.0.0.1 +tcp example.test AAAA >/dev/null) &
	wait
)
stop_cap

# 11. null.pcap: DLT_NULL from the IP packets of http4.pcap + http6.pcapng -----
"$PY" "$OUT/to_null.py" null.pcap 10 http4.pcap http6.pcapng >/dev/null

# 13. damaged files -------------------------------------------------------------
"$PY" - <<'EOF'
import struct

buf = open("http4.pcap", "rb").read()
e = "<" if buf[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
offs = []  # (record offset, captured length)
off = 24
while off + 16 <= len(buf):
    incl = struct.unpack(e + "I", buf[off + 8:off + 12])[0]
    offs.append((off, incl))
    off += 16 + incl

# truncated.pcap: cut in the middle of the 6th packet's data.
o6, l6 = offs[5]
open("truncated.pcap", "wb").write(buf[:o6 + 16 + l6 // 2])

# corrupt.pcap: 4th record's incl_len := 0xFFFFFFF0, everything else intact.
o4 = offs[3][0]
b = bytearray(buf)
b[o4 + 8:o4 + 12] = struct.pack(e + "I", 0xFFFFFFF0)
open("corrupt.pcap", "wb").write(bytes(b))

# truncated.pcapng: cut in the middle of the block holding the 8th packet.
ng = open("http6.pcapng", "rb").read()
off, npk, ee = 0, 0, "<"
while off + 8 <= len(ng):
    if ng[off:off + 4] == b"\x0a\x0d\x0d\x0a":
        ee = "<" if ng[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
    btype, blen = struct.unpack(ee + "II", ng[off:off + 8])
    if btype in (3, 6):
        npk += 1
        if npk == 8:
            open("truncated.pcapng", "wb").write(ng[:off + blen // 2])
            break
    off += blen
else:
    raise SystemExit("http6.pcapng has fewer than 8 packets")
EOF
printf 'This is not a packet capture.\nIt is a plain text file used to test format detection.\n' >notapcap.pcap

# --- oracle TSVs and README ---------------------------------------------------
GOOD=(http4.pcap http6.pcapng dns.pcap icmp.pcap vlan.pcap qinq.pcap arp.pcap frag.pcap
	sll.pcap sll2.pcap rst.pcap null.pcap mixed.pcapng)
for f in "${GOOD[@]}"; do
	write_tsv "$f"
done

declare -A HOW=(
	[http4.pcap]="\`tcpdump -i lo\`: \`python3 -m http.server\` on 127.0.0.1:$HTTP_PORT, two \`curl\` GETs of a small file (2 full TCP connections: handshake, data, FIN teardown)"
	[http6.pcapng]="\`dumpcap -i lo\` (native pcapng): same over [::1]:$HTTP_PORT, two \`curl\` GETs"
	[dns.pcap]="\`tcpdump -i lo\`: dnsmasq on port $DNS_PORT; \`dig\` A, AAAA, NXDOMAIN (missing.test), AAAA over ::1, and A with \`+tcp\`"
	[icmp.pcap]="\`tcpdump -i lo\`: \`ping -c 3 127.0.0.1\` and \`ping -6 -c 3 ::1\`"
	[vlan.pcap]="netns pair + veth trunk, 802.1Q id 100 (10.77.100.1/.2; $VLAN_MODE), neighbours flushed; ping x2 + curl to http.server in the other ns; captured on the parent veth (tagged ARP, ICMP, TCP)"
	[qinq.pcap]="netns pair + veth trunk, 802.1ad outer id 200 + 802.1Q inner id 300 (10.77.200.1/.2; $VLAN_MODE), neighbours flushed; ping x3 (double-tagged ARP + ICMP)"
	[arp.pcap]="netns pair + untagged veth (10.77.1.1/.2), neighbours flushed; ping x2 then \`arping -c 2\`"
	[frag.pcap]="netns pair + veth MTU 1500 (10.77.2.x, fd77:2::x); \`ping -s 4000\` x2 (IPv4 fragments) and \`ping -6 -s 4000\` x2 (IPv6 Fragment headers), plus ARP/ND"
	[sll.pcap]="\`tcpdump -i any -y LINUX_SLL\`: one curl on 127.0.0.1 + \`ping -c 2 127.0.0.1\`"
	[sll2.pcap]="\`tcpdump -i any -y LINUX_SLL2\`: one curl on 127.0.0.1 + \`ping -c 2 127.0.0.1\`"
	[rst.pcap]="\`tcpdump -i lo\`: curl to closed TCP port $CLOSED_TCP on 127.0.0.1 and [::1] (SYN -> RST,ACK), \`dig\` to closed UDP port $CLOSED_UDP on 127.0.0.1 and ::1 (ICMP / ICMPv6 port unreachable)"
	[null.pcap]="\`to_null.py\`: first 10 IP packets of http4.pcap and of http6.pcapng, Ethernet header replaced by a 4-byte little-endian BSD AF (2 = IPv4; IPv6 alternates 24 and 30)"
	[mixed.pcapng]="\`dumpcap -i lo\`: ~2 s of concurrent curls (v4+v6), digs (UDP v4+v6, one TCP) and pings (v4+v6) - the demo capture"
	[truncated.pcap]="http4.pcap cut in the middle of packet 6's data: records 1-5 intact, then a short record (expect an unexpected-EOF error)"
	[corrupt.pcap]="http4.pcap with record 4's captured-length field set to 0xFFFFFFF0: packets 1-3 intact, then an invalid record"
	[truncated.pcapng]="http6.pcapng cut in the middle of the block that holds packet 8: packets 1-7 intact"
	[notapcap.pcap]="plain text file (format detection must reject it)"
)

capline() { # file -> "link type|packet count"
	local enc cnt
	enc=$(capinfos -M -T -r -E "$1" 2>/dev/null | cut -f2) || true
	cnt=$(capinfos -M -T -r -c "$1" 2>/dev/null | cut -f2) || true
	case "$enc" in
	ether) enc="Ethernet (DLT_EN10MB = 1)" ;;
	linux-sll) enc="Linux cooked v1 (LINUX_SLL = 113)" ;;
	linux-sll2) enc="Linux cooked v2 (LINUX_SLL2 = 276)" ;;
	null) enc="BSD loopback (DLT_NULL = 0)" ;;
	esac
	echo "${enc:-?}|${cnt:-?}"
}
declare -A DAMAGED=(
	[truncated.pcap]="Ethernet (DLT_EN10MB = 1)|5 whole + 1 cut"
	[corrupt.pcap]="Ethernet (DLT_EN10MB = 1)|3 whole, then bad header"
	[truncated.pcapng]="Ethernet (DLT_EN10MB = 1)|7 whole + 1 cut block"
	[notapcap.pcap]="none|none"
)

{
	cat <<EOF
# Test captures

Real traffic from real programs (python3 http.server, curl, dnsmasq, dig,
ping, arping) captured on this machine with tcpdump/dumpcap, only over
loopback or over veth pairs between throw-away network namespaces.
Regenerate everything (as root) with:

    sudo testdata/captures/make-captures.sh

Regeneration produces new timestamps, ports, sequence numbers and sometimes
slightly different packet counts, so tests must compare a capture with its
own \`<file>.tshark.tsv\`, never with hard-coded values. The TSVs are the
independent oracle: one row per frame, produced by

    tshark -r FILE -T fields -E header=y -E separator=/t -E occurrence=f \\
      -e frame.number -e frame.len -e frame.cap_len -e frame.protocols -e eth.src -e eth.dst \\
      -e vlan.id -e ip.src -e ip.dst -e ip.proto -e ip.ttl -e ipv6.src -e ipv6.dst -e ipv6.nxt \\
      -e tcp.srcport -e tcp.dstport -e tcp.flags -e tcp.seq_raw -e tcp.ack_raw -e tcp.window_size_value \\
      -e udp.srcport -e udp.dstport -e icmp.type -e icmp.code -e icmpv6.type -e icmpv6.code \\
      -e arp.opcode -e arp.src.proto_ipv4 -e arp.dst.proto_ipv4

(\`occurrence=f\`: the first occurrence, i.e. the outer tag / header, when a
field occurs more than once, e.g. \`ip.*\` of the header quoted inside an
ICMP error.) Generated with $(tshark --version 2>/dev/null | head -1 | sed 's/\.$//'),
$(tcpdump --version 2>&1 | head -1), $(tcpdump --version 2>&1 | sed -n 2p).

Notes: loopback and veth use checksum offload, so many captured TCP/UDP
checksums are not valid (as in any capture taken on the sending host).
tshark dissects an 0x88a8 tag as \`ieee8021ad\` (field \`ieee8021ad.id\`), not
\`vlan\`, so in qinq.pcap the \`vlan.id\` column holds the INNER 802.1Q id 300;
the outer 802.1ad id is 200 on every frame.

| file | link type | packets | how it was made |
| --- | --- | --- | --- |
EOF
	for f in "${GOOD[@]}" truncated.pcap corrupt.pcap truncated.pcapng notapcap.pcap; do
		if [[ -n "${DAMAGED[$f]:-}" ]]; then
			IFS='|' read -r enc cnt <<<"${DAMAGED[$f]}"
		else
			IFS='|' read -r enc cnt < <(capline "$f")
		fi
		echo "| \`$f\` | $enc | $cnt | ${HOW[$f]} |"
	done
	cat <<EOF

Helpers: \`to_null.py\` (plain-struct pcap/pcapng reader, DLT_NULL writer) and
\`vlan_trunk.py\` (userspace 802.1Q/802.1ad tagging, used only when the
kernel has no 8021q module; mode used for this set: $VLAN_MODE).

Damaged files (no TSV): tshark/capinfos read the whole packets, then report
"cut short in the middle of a packet" (truncated.*) or "damaged or corrupt ...
4294967280-byte packet" (corrupt.pcap); notapcap.pcap is "not a capture file".
EOF
} >README.md

chmod 644 -- *.pcap *.pcapng *.tsv README.md
echo "captures written to $OUT:"
for f in "${GOOD[@]}"; do
	IFS='|' read -r enc cnt < <(capline "$f")
	printf '  %-18s %-40s %s packets\n' "$f" "$enc" "$cnt"
done
