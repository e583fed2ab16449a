"""Fault-injecting TCP proxies for the p2p links of a local network (the chaos test).

Every node dials every other node through a proxy of its own for that peer
(node.toml `[p2p] peers`), so each unordered pair of nodes {a, b} has two proxies, one
per dialling side, and whichever connection the pair keeps runs through one of them.
Both proxies of a pair share one Link, whose state says what happens to the bytes:

  healthy        bytes pass unchanged
  down           every connection of the link is closed and new ones are closed at once
                 (a full partition between a and b)
  one-way a->b   bytes from a to b are discarded, b to a pass (the TLS stream breaks once
                 the lost bytes matter; heal() resets the link's connections)
  delay d        each chunk waits d seconds in its direction, in order

The proxies run on one asyncio loop in a background thread; set_* and heal() may be
called from any thread (they hand the change to the loop). close() stops the loop and
every connection. Nothing here knows TLS: the nodes authenticate each other through it.
"""
import asyncio
import threading

CHUNK = 64 * 1024


class Link:
    """The fault state of the pair {a, b}; touched only on the proxies' loop."""

    def __init__(self, a, b):
        self.a, self.b = a, b
        self.down = False
        self.blackhole_from = None  # node whose bytes towards the other are discarded
        self.delay_s = 0.0
        self.connections = set()    # (writer towards dialler, writer towards target)

    def reset(self):
        for pair in list(self.connections):
            for writer in pair:
                writer.close()
        self.connections.clear()


class FaultProxies:
    def __init__(self, nodes, target_port, listen_port):
        """nodes: how many; target_port(j): node j's real p2p port; listen_port(i, j): the
        port node i dials to reach node j (i != j)."""
        self.links = {}
        for a in range(nodes):
            for b in range(a + 1, nodes):
                self.links[(a, b)] = Link(a, b)
        self._target_port = target_port
        self._listen_port = listen_port
        self._nodes = nodes
        self._servers = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxies",
                                        daemon=True)
        self._thread.start()
        self._call(self._start_servers())

    def link(self, a, b):
        return self.links[(min(a, b), max(a, b))]

    # ------------------------------------------------------------------ control (any thread)

    def set_down(self, a, b):
        self._call(self._set(a, b, down=True))

    def set_one_way(self, source, destination):
        self._call(self._set(source, destination, blackhole_from=source))

    def set_delay(self, a, b, delay_s):
        self._call(self._set(a, b, delay_s=delay_s))

    def heal(self, a, b):
        self._call(self._heal(a, b))

    def heal_all(self):
        for (a, b) in self.links:
            self.heal(a, b)

    def faulty_links(self):
        return sorted(key for key, link in self.links.items()
                      if link.down or link.blackhole_from is not None or link.delay_s)

    def close(self):
        async def stop():
            for server in self._servers:
                server.close()
            for link in self.links.values():
                link.reset()
        self._call(stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    # ------------------------------------------------------------------ the loop

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=30)

    async def _set(self, a, b, down=False, blackhole_from=None, delay_s=0.0):
        link = self.link(a, b)
        link.down = link.down or down
        if blackhole_from is not None:
            link.blackhole_from = blackhole_from
        if delay_s:
            link.delay_s = delay_s
        if link.down:
            link.reset()

    async def _heal(self, a, b):
        link = self.link(a, b)
        broken = link.blackhole_from is not None
        link.down, link.blackhole_from, link.delay_s = False, None, 0.0
        if broken:
            link.reset()

    async def _start_servers(self):
        for i in range(self._nodes):
            for j in range(self._nodes):
                if i == j:
                    continue
                server = await asyncio.start_server(
                    lambda r, w, i=i, j=j: self._serve(i, j, r, w), "127.0.0.1",
                    self._listen_port(i, j))
                self._servers.append(server)

    async def _serve(self, dialler, target, from_dialler, to_dialler):
        link = self.link(dialler, target)
        if link.down:
            to_dialler.close()
            return
        try:
            from_target, to_target = await asyncio.open_connection(
                "127.0.0.1", self._target_port(target))
        except OSError:
            to_dialler.close()
            return
        pair = (to_dialler, to_target)
        link.connections.add(pair)
        try:
            await asyncio.gather(self._pump(link, dialler, from_dialler, to_target),
                                 self._pump(link, target, from_target, to_dialler))
        finally:
            link.connections.discard(pair)
            to_dialler.close()
            to_target.close()

    async def _pump(self, link, source, reader, writer):
        try:
            while True:
                chunk = await reader.read(CHUNK)
                if not chunk or link.down:
                    break
                if link.delay_s:
                    await asyncio.sleep(link.delay_s)
                if link.blackhole_from == source:
                    continue
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
