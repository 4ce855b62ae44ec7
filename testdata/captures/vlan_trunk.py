#!/usr/bin/env python3
"""Userspace 802.1Q / 802.1ad trunk port, for kernels built without 8021q.

Usage: vlan_trunk.py TAP TRUNK TPID:VID [TPID:VID ...]     (outermost tag first)
  e.g. vlan_trunk.py tap0 veth0 0x8100:100
       vlan_trunk.py tap0 veth0 0x88a8:200 0x8100:300

make-captures.sh uses this only when `ip link add ... type vlan` is not
available (CONFIG_VLAN_8021Q unset).  It plays the part of a VLAN
subinterface: the IP address lives on the (already created, persistent) TAP
device TAP, so ARP/ICMP/TCP are produced by the real kernel stack and real
programs; this process only
  * reads each Ethernet frame the kernel sends out of TAP, inserts the tag
    stack after the MAC addresses and sends it on the trunk (a veth) through
    an AF_PACKET socket, and
  * receives frames from the trunk (restoring the outer tag that the kernel
    moves into skb metadata, from PACKET_AUXDATA), and if their tag stack is
    exactly TPID:VID..., strips it and writes the inner frame to TAP.
Runs until killed.
"""
import fcntl
import os
import select
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
AUX = struct.Struct("=IIIHHHH")  # struct tpacket_auxdata


def main():
    tap_name, trunk = sys.argv[1], sys.argv[2]
    tags = []
    for spec in sys.argv[3:]:
        tpid, vid = spec.split(":")
        tags.append((int(tpid, 0), int(vid, 0)))
    tagbytes = b"".join(struct.pack(">HH", t, v) for t, v in tags)

    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", tap_name.encode(), IFF_TAP | IFF_NO_PI))

    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((trunk, ETH_P_ALL))
    sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)

    while True:
        ready, _, _ = select.select([tap, sock], [], [])
        if tap in ready:
            frame = os.read(tap, 65535)
            if len(frame) >= 14:
                sock.send(frame[:12] + tagbytes + frame[12:])
        if sock in ready:
            data, anc, _, addr = sock.recvmsg(65535, socket.CMSG_SPACE(AUX.size))
            if addr[2] == PACKET_OUTGOING or len(data) < 14:
                continue
            for level, ctype, cdata in anc:
                if level == SOL_PACKET and ctype == PACKET_AUXDATA and len(cdata) >= AUX.size:
                    status, _, _, _, _, tci, tpid = AUX.unpack(cdata[:AUX.size])
                    if status & TP_STATUS_VLAN_VALID:
                        if not status & TP_STATUS_VLAN_TPID_VALID:
                            tpid = 0x8100
                        data = data[:12] + struct.pack(">HH", tpid, tci) + data[12:]
            off = 12
            ok = True
            for tpid, vid in tags:
                if len(data) < off + 4:
                    ok = False
                    break
                t, tci = struct.unpack(">HH", data[off:off + 4])
                if t != tpid or tci & 0x0FFF != vid:
                    ok = False
                    break
                off += 4
            if ok:
                os.write(tap, data[:12] + data[off:])


if __name__ == "__main__":
    main()
