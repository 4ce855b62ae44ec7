#!/usr/bin/env bash
# Records testdata/bench/benchmix.pcap, the seed of the side-by-side
# benchmark capture (issue #7): a few seconds of real loopback traffic made
# by real programs, concurrently —
#   HTTP:  python3 -m http.server on 127.0.0.1:8080 and [::1]:8080, curl GETs
#   TLS:   openssl s_server -www (TLS 1.2 and 1.3, self-signed cert) on
#          127.0.0.1:8443, curl -k GETs
#   DNS:   dnsmasq on 127.0.0.77:53 (UDP and TCP), dig A/AAAA/NXDOMAIN/+tcp
#   ICMP:  ping and ping -6
# captured with tcpdump -i lo, all inside a throw-away network namespace. tools/mkbig then multiplies it into the 2M-packet
# benchmark capture (compare.sh does that). Needs root (port 53, capture) and
# tcpdump, curl, openssl, dig, dnsmasq (apt-get install dnsmasq-base).
set -euo pipefail
cd "$(dirname "$0")/../.."
# Run in a throw-away network namespace whose loopback has an Ethernet-sized
# MTU (1500), so segments look like a LAN's, not 64 KiB loopback frames.
if [ -z "${NBMIX_NS:-}" ]; then
	ns=nbmix-$$
	ip netns add "$ns"
	trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
	ip -n "$ns" link set lo mtu 1500 gso_max_size 1500 gso_max_segs 1 up # no 64 KiB GSO super-frames in the capture
	ip netns exec "$ns" env NBMIX_NS="$ns" bash "$0" "$@"
	exit
fi
out=testdata/bench/benchmix.pcap
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for tool in tcpdump curl openssl dig dnsmasq python3; do
	command -v "$tool" >/dev/null || { echo "make-benchmix.sh: $tool missing" >&2; exit 1; }
done
mkdir -p "$(dirname "$out")" "$work/www"
head -c 20000 /dev/urandom | base64 >"$work/www/page.txt"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 -subj /CN=localhost 2>/dev/null
(cd "$work/www" && exec python3 -m http.server 8080 --bind :: >/dev/null 2>&1) & pids+=($!)
openssl s_server -quiet -accept 8443 -cert "$work/cert.pem" -key "$work/key.pem" -www >/dev/null 2>&1 & pids+=($!)
ip addr add 127.0.0.77/8 dev lo
dnsmasq --no-daemon --no-resolv --no-hosts --pid-file= --user=root --bind-interfaces --listen-address=127.0.0.77 \
	--port=53 --address=/bench.test/192.0.2.10 --address=/bench.test/2001:db8::10 >/dev/null 2>&1 & pids+=($!)
sleep 1.5

tcpdump -q -i lo -w "$work/cap.pcap" --immediate-mode 'not port 22' 2>/dev/null & tpid=$!
sleep 1
curlq=(curl -sS -o /dev/null --max-time 5)
for i in 1 2 3; do
	js=()
	"${curlq[@]}" "http://127.0.0.1:8080/page.txt" & js+=($!)
	"${curlq[@]}" "http://[::1]:8080/page.txt" & js+=($!)
	"${curlq[@]}" -k --tlsv1.3 "https://127.0.0.1:8443/" & js+=($!)
	"${curlq[@]}" -k --tlsv1.2 --tls-max 1.2 "https://127.0.0.1:8443/" & js+=($!)
	dig @127.0.0.77 +tries=1 +time=2 "www$i.bench.test" A >/dev/null & js+=($!)
	dig @127.0.0.77 +tries=1 +time=2 "www$i.bench.test" AAAA >/dev/null & js+=($!)
	dig @127.0.0.77 +tries=1 +time=2 "missing$i.example" A >/dev/null & js+=($!)
	dig @127.0.0.77 +tcp +tries=1 +time=2 "tcp$i.bench.test" A >/dev/null & js+=($!)
	ping -q -c 2 -i 0.2 127.0.0.1 >/dev/null & js+=($!)
	ping -q -6 -c 2 -i 0.2 ::1 >/dev/null & js+=($!)
	for j in "${js[@]}"; do wait "$j" || echo "make-benchmix.sh: a client failed (pid $j)" >&2; done
	sleep 0.3
done
sleep 1
kill -INT "$tpid"
wait "$tpid" || true
mv "$work/cap.pcap" "$out"
capinfos -c -M "$out" 2>/dev/null | tail -1
tshark -r "$out" -q -z io,phs 2>/dev/null | sed -n '/^eth/,/^=/p'
