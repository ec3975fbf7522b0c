#!/usr/bin/env python3
"""A lab host's WAN link: a TCP proxy in front of its sshd that hands on every piece of data a
fixed time after it arrived, in each direction, with no bandwidth limit. This kernel has no
netem; measured, this gives a clean round trip of twice the delay (lab-notes, "Simulating WAN
latency"). Only SSH goes through it: swarm traffic between lab hosts stays direct.

    delay-proxy.py LISTEN_ADDRESS LISTEN_PORT TARGET_ADDRESS TARGET_PORT DELAY_MS PIDFILE
"""
import asyncio
import os
import socket
import sys


async def carry(reader, writer, delay):
    """Copies one direction: each read is written `delay` seconds after it arrived, in order."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def receive():
        while True:
            try:
                data = await reader.read(65536)
            except (ConnectionError, OSError):
                data = b""
            queue.put_nowait((loop.time() + delay, data))
            if not data:
                return

    async def send():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                if not data:
                    # The sender closed its side: close ours, after the same delay.
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()
            except (ConnectionError, OSError):
                return

    await asyncio.gather(receive(), send())


def no_delay(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


async def main():
    listen, port, target, target_port, delay_ms, pidfile = sys.argv[1:7]
    delay = int(delay_ms) / 1000.0

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(target, int(target_port))
        except OSError:
            client_writer.close()
            return
        no_delay(client_writer)
        no_delay(server_writer)
        try:
            await asyncio.gather(carry(client_reader, server_writer, delay), carry(server_reader, client_writer, delay))
        finally:
            for writer in (client_writer, server_writer):
                writer.close()

    server = await asyncio.start_server(handle, listen, int(port), reuse_address=True, backlog=1024)
    with open(pidfile + ".new", "w") as f:
        f.write(str(os.getpid()))
    os.replace(pidfile + ".new", pidfile)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
