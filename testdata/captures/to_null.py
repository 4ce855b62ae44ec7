#!/usr/bin/env python3
"""Convert Ethernet captures (classic pcap and/or pcapng) to a DLT_NULL pcap.

Usage: to_null.py OUT.pcap MAX_PER_INPUT IN1 [IN2 ...]

Linux cannot capture DLT_NULL (BSD loopback, linktype 0), so this takes real
Ethernet frames, keeps the IPv4 (ethertype 0x0800) and IPv6 (0x86DD) ones,
strips the 14-byte Ethernet header and prefixes the 4-byte BSD address family
in *host* (here: little-endian) byte order, as BSD/macOS loopback does:
  2  = AF_INET
  24 = AF_INET6 (NetBSD/OpenBSD) and 30 = AF_INET6 (macOS/Darwin); IPv6
       packets alternate between the two so a decoder must accept both.
Only plain struct parsing is used (no third-party modules).  The output is a
little-endian, microsecond-resolution pcap (magic a1b2c3d4) with linktype 0.
Packets from all inputs are merged in timestamp order.
"""
import struct
import sys


def read_pcap(buf):
    magic = buf[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError("not a classic pcap")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(e + "I", buf[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(buf):
        sec, frac, incl, orig = struct.unpack(e + "IIII", buf[off:off + 16])
        off += 16
        data = buf[off:off + incl]
        off += incl
        ns = sec * 10**9 + (frac if nano else frac * 1000)
        yield linktype, ns, orig, data


def read_pcapng(buf):
    off = 0
    e = "<"
    ifaces = []  # (linktype, ticks per second)
    while off + 12 <= len(buf):
        btype_raw = buf[off:off + 4]
        if btype_raw == b"\x0a\x0d\x0d\x0a":
            bom = buf[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        btype, blen = struct.unpack(e + "II", buf[off:off + 8])
        body = buf[off + 8:off + blen - 4]
        if btype == 1:  # Interface Description Block
            linktype = struct.unpack(e + "H", body[0:2])[0]
            res = 10**6
            o = 8
            while o + 4 <= len(body):
                code, olen = struct.unpack(e + "HH", body[o:o + 4])
                if code == 0:
                    break
                if code == 9:  # if_tsresol
                    v = body[o + 4]
                    res = 2 ** (v & 0x7F) if v & 0x80 else 10 ** v
                o += 4 + ((olen + 3) & ~3)
            ifaces.append((linktype, res))
        elif btype == 6:  # Enhanced Packet Block
            ifid, hi, lo, incl, orig = struct.unpack(e + "IIIII", body[:20])
            data = body[20:20 + incl]
            linktype, res = ifaces[ifid]
            ticks = (hi << 32) | lo
            yield linktype, ticks * 10**9 // res, orig, data
        off += blen


def read_any(path):
    with open(path, "rb") as f:
        buf = f.read()
    if buf[:4] == b"\x0a\x0d\x0d\x0a":
        return list(read_pcapng(buf))
    return list(read_pcap(buf))


def main():
    out, maxn, inputs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    pkts = []
    for path in inputs:
        n = 0
        for linktype, ns, orig, data in read_any(path):
            if linktype != 1 or len(data) < 14 or n >= maxn:
                continue
            ethertype = struct.unpack(">H", data[12:14])[0]
            if ethertype not in (0x0800, 0x86DD):
                continue
            pkts.append((ns, ethertype, orig - 14, data[14:]))
            n += 1
    pkts.sort(key=lambda p: p[0])
    v6 = 0
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 0))
        for ns, ethertype, orig, payload in pkts:
            if ethertype == 0x0800:
                af = 2
            else:
                af = (24, 30)[v6 % 2]
                v6 += 1
            rec = struct.pack("<I", af) + payload
            sec, usec = divmod(ns // 1000, 10**6)
            f.write(struct.pack("<IIII", sec, usec, len(rec), orig + 4))
            f.write(rec)
    print("%s: %d packets" % (out, len(pkts)))


if __name__ == "__main__":
    main()
