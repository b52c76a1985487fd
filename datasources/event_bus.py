"""The event bus: permit events from the change log to every subscriber of every process.

    change log ──relay──▶ bus ──fan-out──▶ each subscription's bounded buffer

In-process (embedded default) the relay publishes straight to this process's subscribers.
With Redis, every process's relay appends to one Redis stream with the change log's id as
the entry id (Redis refuses an id it already has, so several relays never duplicate), and
every process reads the stream and fans out to its own subscribers. ``position`` is the
last id delivered locally: anything at or below it a late subscriber reads from the log.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Protocol, cast

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from redis.typing import EncodableT, FieldT
from sqlalchemy import event as sql_event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.passports.change_log import ChangeLogReader, PermitEvent
from datasources.records import PermitKind, PermitStatus, TravelPermit
from errors import RegistryError, SubscriberTooSlow
from telemetry.metrics import record_relay_lag

# A stream entry as this client reads it: (id, fields), in bytes. redis-py types stream
# replies for both protocol versions and both decoding modes; the client speaks RESP2 and
# does not decode (redis_store.RedisStore).
StreamEntry = tuple[bytes, dict[bytes, bytes]]

logger = logging.getLogger("bawaba.events")
PAGE = 500


class EventSubscription:
    """One subscriber's bounded buffer; a subscriber that falls behind is cut off."""

    def __init__(self, bus: EventFanOut, capacity: int) -> None:
        self._bus = bus
        self._events: collections.deque[PermitEvent] = collections.deque()
        self._capacity = capacity
        self._ready = asyncio.Event()
        self.overflowed = False

    def offer(self, event: PermitEvent) -> None:
        if len(self._events) >= self._capacity:
            self.overflowed = True
        else:
            self._events.append(event)
        self._ready.set()

    async def __aiter__(self) -> AsyncIterator[PermitEvent]:
        while True:
            await self._ready.wait()
            if self.overflowed:
                raise SubscriberTooSlow()
            while self._events:
                yield self._events.popleft()
            self._ready.clear()

    def close(self) -> None:
        self._bus.unsubscribe(self)


class EventListener(Protocol):
    """Takes every event as it is delivered, without waiting (e.g. a group of subscribers)."""

    def offer(self, event: PermitEvent) -> None: ...

    @property
    def subscriber_count(self) -> int: ...


class EventFanOut:
    """This process's subscribers, and the position up to which they have been served."""

    def __init__(self, *, capacity: int) -> None:
        self.capacity = capacity
        # None until the relay knows where the change log stands (it may be down at start).
        self.position: int | None = None
        self._subscriptions: set[EventSubscription] = set()
        self._listeners: set[EventListener] = set()

    def subscribe(self) -> EventSubscription:
        subscription = EventSubscription(self, self.capacity)
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: EventSubscription) -> None:
        self._subscriptions.discard(subscription)

    def attach(self, listener: EventListener) -> None:
        self._listeners.add(listener)

    def detach(self, listener: EventListener) -> None:
        self._listeners.discard(listener)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscriptions) + sum(x.subscriber_count for x in self._listeners)

    def deliver(self, events: list[PermitEvent], position: int) -> None:
        now = datetime.now(UTC)
        for event in events:
            for subscription in tuple(self._subscriptions):
                subscription.offer(event)
            record_relay_lag((now - event.at).total_seconds())
            for listener in tuple(self._listeners):
                listener.offer(event)
        self.position = max(self.position or 0, position)


class LocalEventBus:
    """Relay and fan-out in one process: the embedded default."""

    def __init__(
        self, reader: ChangeLogReader, fan_out: EventFanOut, *, interval: float = 0.1
    ) -> None:
        self.reader = reader
        self.fan_out = fan_out
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    async def start(self) -> None:
        with contextlib.suppress(RegistryError, TimeoutError):
            self.fan_out.position = await asyncio.wait_for(self.reader.latest_id(), 2)
        self._task = asyncio.create_task(self._relay())

    def wake(self) -> None:
        """A change was just written: look now instead of at the next tick."""
        self._wake.set()

    async def _relay(self) -> None:
        while not self._stopping:
            try:
                if self.fan_out.position is None:
                    self.fan_out.position = await self.reader.latest_id()
                await relay_once(self.reader, self.fan_out.position, self._deliver)
            except RegistryError:
                logger.warning("the change log is unavailable; the relay will try again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

    async def _deliver(self, events: list[PermitEvent], position: int) -> None:
        self.fan_out.deliver(events, position)

    async def close(self) -> None:
        # Let a read in progress finish (a cancelled driver call can strand its connection).
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), 2)
        await _cancel(self._task)


Publish = Callable[[list[PermitEvent], int], Awaitable[None]]


def wake_on_commit(engine: AsyncEngine, wake: Callable[[], None]) -> None:
    """Have the relay look at the change log as soon as a transaction that wrote to it
    commits in this process, instead of at its next poll (up to ``interval`` later)."""

    def noted(connection: Connection, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip()[:22].upper() == "INSERT INTO CHANGE_LOG":
            connection.info["wrote_change_log"] = True

    def committed(connection: Connection) -> None:
        if connection.info.pop("wrote_change_log", False):
            wake()

    sql_event.listen(engine.sync_engine, "after_cursor_execute", noted)
    sql_event.listen(engine.sync_engine, "commit", committed)


async def relay_once(reader: ChangeLogReader, position: int, publish: Publish) -> int:
    """Publish, in order, every settled permit event after ``position``; the new position."""
    settled = await reader.settled_position(position)
    while position < settled:
        events = [e for e in await reader.permit_events_after(position) if e.id <= settled]
        position = events[-1].id if len(events) == PAGE else settled
        await publish(events, position)
    return position


class RedisEventBus:
    """Relay into a Redis stream shared by all processes; fan out what the stream holds."""

    def __init__(
        self,
        reader: ChangeLogReader,
        fan_out: EventFanOut,
        client: Redis,
        *,
        stream: str,
        interval: float = 0.1,
        max_length: int = 100_000,
    ) -> None:
        self.reader = reader
        self.fan_out = fan_out
        self.client = client
        self.stream = stream
        self.interval = interval
        self.max_length = max_length
        self._relayed: int | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()

    async def start(self) -> None:
        with contextlib.suppress(RegistryError, RedisError, OSError, TimeoutError):
            await asyncio.wait_for(self._find_start(), 2)
        self._tasks = [asyncio.create_task(self._run())]

    async def _find_start(self) -> None:
        top = await self._stream_top()
        self._relayed = top if top is not None else await self.reader.latest_id()
        self.fan_out.position = self._relayed

    async def _run(self) -> None:
        # Resume where the stream stopped; a new stream starts at the log's present. Either
        # store may be down at start: keep trying, the gateway serves everything else.
        while self._relayed is None:
            try:
                await self._find_start()
            except (RegistryError, RedisError, OSError):
                logger.warning("the event stream cannot start yet; retrying")
                await asyncio.sleep(1)
        self._tasks.append(asyncio.create_task(self._consume()))
        await self._relay()

    def wake(self) -> None:
        self._wake.set()

    async def _stream_top(self) -> int | None:
        entries = cast("list[StreamEntry]", await self.client.xrevrange(self.stream, count=1))
        return int(entries[0][0].split(b"-")[0]) if entries else None

    async def _relay(self) -> None:
        while True:
            try:
                self._relayed = await relay_once(self.reader, self._relayed or 0, self._append)
            except (RegistryError, RedisError, OSError):
                logger.warning("the relay could not reach the change log or Redis; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

    async def _append(self, events: list[PermitEvent], position: int) -> None:
        for event in events:
            # Another process's relay may have appended it first: Redis then refuses the id.
            with contextlib.suppress(ResponseError):
                await self.client.xadd(
                    self.stream,
                    encode_event(event),
                    id=f"{event.id}-0",
                    maxlen=self.max_length,
                    approximate=True,
                )

    async def _consume(self) -> None:
        last = f"{self.fan_out.position}-0"
        while True:
            try:
                found = cast(
                    "list[tuple[bytes, list[StreamEntry]]] | None",
                    await self.client.xread({self.stream: last}, block=1000, count=PAGE),
                )
            except (RedisError, OSError):
                logger.warning("the event stream is unreachable; retrying")
                await asyncio.sleep(1)
                continue
            for _, entries in found or []:
                events = [decode_event(fields) for _, fields in entries]
                last = entries[-1][0].decode()
                self.fan_out.deliver(events, int(last.split("-")[0]))

    async def close(self) -> None:
        for task in reversed(self._tasks):
            await _cancel(task)


async def _cancel(task: asyncio.Task[None] | None) -> None:
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def encode_event(event: PermitEvent) -> dict[FieldT, EncodableT]:
    return {"event": orjson.dumps(event)}


def decode_event(fields: dict[bytes, bytes]) -> PermitEvent:
    data = orjson.loads(fields[b"event"])
    permit = data["permit"]
    return PermitEvent(
        id=data["id"],
        permit_id=data["permit_id"],
        traveller_id=data["traveller_id"],
        guardian_id=data["guardian_id"],
        status=PermitStatus(data["status"]),
        previous_status=PermitStatus(data["previous_status"]) if data["previous_status"] else None,
        reason=data["reason"],
        at=datetime.fromisoformat(data["at"]),
        permit=TravelPermit(
            id=permit["id"],
            number=permit["number"],
            traveller_id=permit["traveller_id"],
            guardian_id=permit["guardian_id"],
            kind=PermitKind(permit["kind"]),
            destinations=tuple(permit["destinations"]),
            valid_from=date.fromisoformat(permit["valid_from"]),
            valid_until=date.fromisoformat(permit["valid_until"]),
            status=PermitStatus(permit["status"]),
            status_reason=permit["status_reason"],
            created_at=datetime.fromisoformat(permit["created_at"]),
        )
        if permit
        else None,
    )
