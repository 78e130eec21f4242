"""Tokens the cache does not hold, read many per statement.

A flash sale brings thousands of shoppers at once, each with a token this process has not seen:
read one by one, every miss is a hand-off to the thread pool and a statement of its own. The
reader instead gathers the misses that arrive while a read is running and reads them all with the
next one — one hand-off and one ``IN`` statement per batch, as the writer batches commits. A
token asked for twice while it is being read waits for the one read.
"""

from __future__ import annotations

import asyncio
from functools import partial

from agora.core.db import Database
from agora.identity.domain import Principal
from agora.identity.service import authenticate_many
from agora.identity.token_cache import TokenCache


class TokenReader:
    """Reads uncached tokens in batches of at most ``max_batch``; use from the event loop."""

    def __init__(self, db: Database, cache: TokenCache, *, max_batch: int = 500) -> None:
        self.db = db
        self.cache = cache
        self.max_batch = max_batch
        # Each waiter has a future of its own: one request giving up (its future cancelled)
        # leaves the others waiting, with no shield to build around a shared one.
        self._waiting: dict[str, list[asyncio.Future[Principal | None]]] = {}
        # The running read, held here: the loop keeps only a weak reference to a task.
        self._reader: asyncio.Task[None] | None = None

    async def principal(self, digest: str) -> Principal | None:
        """The principal of the token with ``digest`` (cached once read), or ``None``."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Principal | None] = loop.create_future()
        waiters = self._waiting.get(digest)
        if waiters is None:
            self._waiting[digest] = [future]
        else:
            waiters.append(future)
        if self._reader is None:
            self._reader = loop.create_task(self._read_while_waiting())
        return await future

    async def _read_while_waiting(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._waiting:
                digests = list(self._waiting)[: self.max_batch]
                waiting = [self._waiting.pop(digest) for digest in digests]
                try:
                    found = await loop.run_in_executor(
                        None, partial(authenticate_many, self.db, digests, cache=self.cache)
                    )
                except Exception as exc:  # every waiter gets the error, none hangs
                    for futures in waiting:
                        for future in futures:
                            if not future.done():
                                future.set_exception(exc)
                    continue
                for digest, futures in zip(digests, waiting, strict=True):
                    principal = found[digest]
                    for future in futures:
                        if not future.done():
                            future.set_result(principal)
        finally:
            self._reader = None
