#!/usr/bin/env bash
# A video check across NAT and distance, on one machine, in network namespaces this script makes:
# the applicant's network (Italy) and the bureau's (Zhejiang), joined through a third that NATs
# both (iptables MASQUERADE, nothing let in that they did not start, nothing passed directly from
# one to the other), and behind it the server's, with the demo and coturn on 203.0.113.1 (a
# documentation address). The browsers reach the relay through scripts/delay-udp.py, 150 ms each
# way (this kernel has no netem qdisc). ICE may use any route; only the relay gets through. e2e/video.mjs runs with each person's Chromium in her namespace and
# prints the candidate types and the time from "join" to the first remote frame.
#
#   scripts/video-nat.sh          # as root; needs iproute2, iptables, coturn, Chromium and a debug build
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "FAIL scripts/video-nat.sh makes network namespaces and must run as root"; exit 1; }
tag="qy$$"
wan="$tag-wan" italy="$tag-it" bureau="$tag-cn" server="$tag-srv"
work=$(mktemp -d /tmp/qiaoyi-nat.XXXXXX)
pids=()
cleanup() {
  # Everything started inside the namespaces ends with them (a namespace outlives its deletion
  # while a process still runs in it).
  for ns in "$wan" "$italy" "$bureau" "$server"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for ns in "$wan" "$italy" "$bureau" "$server"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

for ns in "$wan" "$italy" "$bureau" "$server"; do
  ip netns add "$ns"
  in_ns "$ns" ip link set lo up
done
# The applicant's home network and the bureau's office network, each a link to the internet.
ip link add "$tag-w1" netns "$wan" type veth peer name eth0 netns "$italy"
ip link add "$tag-w2" netns "$wan" type veth peer name eth0 netns "$bureau"
ip link add "$tag-w3" netns "$wan" type veth peer name eth0 netns "$server"
in_ns "$wan" ip addr add 192.168.10.1/24 dev "$tag-w1"
in_ns "$wan" ip addr add 192.168.20.1/24 dev "$tag-w2"
in_ns "$wan" ip addr add 203.0.113.254/24 dev "$tag-w3"
for link in "$tag-w1" "$tag-w2" "$tag-w3"; do
  in_ns "$wan" ip link set "$link" up
done
in_ns "$server" ip addr add 203.0.113.1/24 dev eth0
in_ns "$server" ip link set eth0 up
in_ns "$server" ip route add default via 203.0.113.254
in_ns "$italy" ip addr add 192.168.10.2/24 dev eth0
in_ns "$bureau" ip addr add 192.168.20.2/24 dev eth0
for ns in "$italy" "$bureau"; do
  in_ns "$ns" ip link set eth0 up
done
in_ns "$italy" ip route add default via 192.168.10.1
in_ns "$bureau" ip route add default via 192.168.20.1
in_ns "$wan" sysctl -qw net.ipv4.ip_forward=1
# Both networks leave through NAT to the server's; nothing comes in that they did not start, and
# nothing passes directly from one to the other (no UDP, and no TCP that ICE could also try).
in_ns "$wan" iptables -t nat -A POSTROUTING -s 192.168.0.0/16 -o "$tag-w3" -j MASQUERADE
in_ns "$wan" iptables -A FORWARD -s 192.168.10.0/24 -d 192.168.20.0/24 -j DROP
in_ns "$wan" iptables -A FORWARD -s 192.168.20.0/24 -d 192.168.10.0/24 -j DROP
in_ns "$wan" iptables -A FORWARD -d 192.168.0.0/16 -m conntrack --ctstate NEW,INVALID -j DROP

secret=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
in_ns "$server" turnserver -n --listening-ip=203.0.113.1 --relay-ip=203.0.113.1 --listening-port=3478 \
  --use-auth-secret --static-auth-secret="$secret" --realm=qiaoyi.test --no-tls --no-dtls --no-cli \
  --min-port=49152 --max-port=65535 --log-file=stdout --simple-log >"$work/turn.log" 2>&1 &
pids+=($!)
in_ns "$server" python3 scripts/delay-udp.py 203.0.113.1:3479 203.0.113.1:3478 150 >"$work/delay.log" 2>&1 &
pids+=($!)
in_ns "$server" env QIAOYI_ICE_SERVERS="turn:203.0.113.1:3479?transport=udp" QIAOYI_TURN_SECRET="$secret" \
  QIAOYI_PUBLIC_URL="http://203.0.113.1:8080" \
  ./target/debug/qiaoyi demo --listen 203.0.113.1:8080 --data "$work/demo" >"$work/demo.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  in_ns "$italy" curl -fsS http://203.0.113.1:8080/healthz >/dev/null 2>&1 && break
  sleep 0.2
done
in_ns "$italy" curl -fsS http://203.0.113.1:8080/healthz >/dev/null || { cat "$work/demo.log"; exit 1; }
# Each person's Chromium starts in her own network; Playwright talks to it over a pipe.
for side in "$italy" "$bureau"; do
  printf '#!/bin/sh\nexec ip netns exec %s /usr/bin/chromium "$@"\n' "$side" >"$work/chromium-$side"
  chmod +x "$work/chromium-$side"
done
# The test itself runs beside the demo; each browser in its own network.
# Halfway through, the applicant's network drops for a while and comes back.
drop="ip netns exec $wan iptables -I FORWARD 1 -s 192.168.10.0/24 -j DROP"
restore="ip netns exec $wan iptables -D FORWARD -s 192.168.10.0/24 -j DROP"
in_ns "$server" env DROP_CMD="$drop" RESTORE_CMD="$restore" BASE_URL=http://203.0.113.1:8080 OUT_DIR="${OUT_DIR:-target/e2e/nat}" TURN_SECRET="$secret" \
  CHROMIUM_APPLICANT="$work/chromium-$italy" CHROMIUM_OFFICER="$work/chromium-$bureau" EXPECT_DELAY_MS=300 \
  node e2e/video.mjs || { tail -n 30 "$work/turn.log"; tail -n 5 "$work/delay.log"; exit 1; }
