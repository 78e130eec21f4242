"""Chat → assistant: each text a member sends is read for shopping intent after its commit, on a
thread of the assistant's own, never on the send's path.

Chat knows nothing of the assistant: :func:`install` registers :func:`_on_sent` with
``chat.on_sent`` and sets the process's :class:`Runner` (the app does it in its lifespan, the demo
and tests around their sends). The hook only schedules: after the send's commit it hands the text
to the runner, whose thread calls :func:`service.read_message` with a unit of work of its own —
which reads nothing more unless the sender switched the assistant on. A chat send in the writer
costs one queue put; the parse (milliseconds) and the cards' searches happen beside it.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from agora import chat
from agora.assistant import service
from agora.chat import MessageView
from agora.core.uow import UnitOfWork

log = logging.getLogger(__name__)

TEXT = "text"
# Texts waiting beyond this are dropped (and logged): under a flood of messages the assistant
# falls behind, it must not hold the process's memory.
QUEUE_SIZE = 10_000
BATCH = 200

_Job = tuple[uuid.UUID, uuid.UUID, str]


class Runner:
    """Reads sent texts one after another on its own thread, each with a fresh unit of work.

    ``inline=True`` reads at once in the thread that committed the send instead (tests and the
    demo, which want the state stored when the send returns).
    """

    def __init__(self, make_uow: Callable[[], UnitOfWork], *, inline: bool = False) -> None:
        self.make_uow = make_uow
        self.inline = inline
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=QUEUE_SIZE)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, sender_id: uuid.UUID, conversation_id: uuid.UUID, text: str) -> None:
        if self.inline:
            self._read((sender_id, conversation_id, text))
            return
        self._ensure_started()
        try:
            self._queue.put_nowait((sender_id, conversation_id, text))
        except queue.Full:
            log.warning("assistant queue full; a message of %s was not read", sender_id)

    def wait_idle(self) -> None:
        """Return once every text submitted so far has been read (tests wait on this)."""
        if self._thread is not None:
            self._queue.join()

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=10)

    def _ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._serve, name="agora-assistant", daemon=True
                )
                self._thread.start()

    def _serve(self) -> None:
        while True:
            batch = [self._queue.get()]
            # Whatever else is waiting, up to a batch: one read of the senders' consents for
            # all of it, so a busy chat (most senders without the assistant) costs the database
            # one query per batch rather than one per message.
            while len(batch) < BATCH and batch[-1] is not None:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                jobs = [job for job in batch if job is not None]
                if jobs:
                    self._read_batch(jobs)
                if batch[-1] is None:
                    return
            finally:
                for _ in batch:
                    self._queue.task_done()

    def _read_batch(self, jobs: list[_Job]) -> None:
        try:
            consenting = service.consenting(self.make_uow(), {sender for sender, _, _ in jobs})
        except Exception:
            log.exception("assistant could not read its senders' consents")
            return
        for job in jobs:
            if job[0] in consenting:
                self._read(job)

    def _read(self, job: _Job) -> None:
        sender_id, conversation_id, text = job
        try:
            service.read_message(
                self.make_uow(), sender_id=sender_id, conversation_id=conversation_id, text=text
            )
        except Exception:
            # A message the assistant cannot read costs the shopper a card update, nothing more.
            log.exception("assistant failed to read a message of %s", sender_id)


_runner: Runner | None = None


def install(runner: Runner | None) -> Runner | None:
    """Make ``runner`` the one that reads this process's sends (``None``: none); answers the
    previous one."""
    global _runner
    previous, _runner = _runner, runner
    chat.on_sent(_on_sent)
    return previous


def current() -> Runner | None:
    return _runner


@contextmanager
def reading_inline(make_uow: Callable[[], UnitOfWork]) -> Iterator[Runner]:
    """Within the block, sends are read as soon as they commit (the demo's and tests' sends)."""
    runner = Runner(make_uow, inline=True)
    previous = install(runner)
    try:
        yield runner
    finally:
        install(previous)


def _on_sent(uow: UnitOfWork, view: MessageView) -> None:
    runner = _runner
    if runner is None or view.kind != TEXT:
        return
    text = view.body.get("text")
    if not isinstance(text, str) or not text.strip():
        return
    sender_id, conversation_id = view.sender_id, view.conversation_id
    uow.after_commit(lambda: runner.submit(sender_id, conversation_id, text))
