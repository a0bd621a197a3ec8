# Forwards UDP from LISTEN to TARGET and back, each datagram held DELAY_MS first: the distance
# between Italy and Zhejiang for scripts/video-nat.sh, on a kernel without the netem qdisc. One
# upstream socket per client address, so the relay sees each client as its own.
#   python3 scripts/delay-udp.py LISTEN_HOST:PORT TARGET_HOST:PORT DELAY_MS
import asyncio, sys


def address(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


listen, target, delay = address(sys.argv[1]), address(sys.argv[2]), int(sys.argv[3]) / 1000


class Upstream(asyncio.DatagramProtocol):
    def __init__(self, front, client):
        self.front, self.client = front, client

    def datagram_received(self, data, _):
        loop.call_later(delay, self.front.transport.sendto, data, self.client)


class Front(asyncio.DatagramProtocol):
    def __init__(self):
        self.upstreams = {}

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, client):
        upstream = self.upstreams.get(client)
        if upstream is None:
            upstream = self.upstreams[client] = asyncio.ensure_future(
                loop.create_datagram_endpoint(lambda: Upstream(self, client), remote_addr=target))
        loop.call_later(delay, lambda: asyncio.ensure_future(send(upstream, data)))


async def send(upstream, data):
    transport, _ = await upstream
    transport.sendto(data)


loop = asyncio.new_event_loop()
loop.run_until_complete(loop.create_datagram_endpoint(Front, local_addr=listen))
print(f"delaying {listen} -> {target} by {delay * 1000:.0f} ms each way", flush=True)
loop.run_forever()
