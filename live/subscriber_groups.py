"""Fan-out that encodes once: subscribers who would receive the same bytes form one group.

    change log ─▶ bus ─▶ group (authorize, execute, encode once) ─▶ each member's outbox

A group is keyed by document, operation, variables, audience and language. For each live
event it checks ``may_see_event``, executes the document once (the same resolvers,
``present_event`` and errors as the standard path) and encodes the payload once; each
member's ``next`` message is that payload spliced behind its own operation id. Where the
connection allows (``live.direct_frames``), that message is a whole WebSocket frame
written to the transport in the group's own loop: one event reaches every member without a
task switch per member. Reads of a person's data are still recorded in the access audit for
every member who received them.

A member that resumes ``after`` a cursor first receives the change log's events up to the
position at which it joined, rendered by the group's own renderer; the group's live events
wait in the member's ``held`` list meanwhile, and ids are compared so nothing is sent twice.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import inspect
import logging
import uuid
from datetime import date
from typing import Any, cast

import orjson
from graphql import execute

from datasources.gateway_store.access_audit import AccessRecord, SqlAccessAuditLog
from datasources.loaders import Loaders
from datasources.passports.change_log import PermitEvent
from execution.error_presentation import present_errors
from execution.schema import GatewaySchema
from live.connection_outbox import ConnectionOutbox, Frame
from live.direct_frames import text_frame_header
from live.shared_documents import SharedDocument
from resolvers.access_log import record_access_by
from resolvers.authorization import WATCH_ALL_PERMITS
from resolvers.context import Context, Services
from resolvers.live_status import may_see_event, present_event
from security.viewer import Viewer

logger = logging.getLogger("bawaba.events")
DELIVERY_SLICE = 500
GroupKey = tuple[str, str | None, str, tuple[object, ...], str]
Audience = tuple[object, ...]


def audience_of(viewer: Viewer) -> Audience:
    """What a shared document's answer depends on: watch-all scope, or the person."""
    if viewer.has_scope(WATCH_ALL_PERMITS):
        return ("watch-all", viewer.kind.value, tuple(sorted(viewer.scopes)))
    return ("person", viewer.kind.value, tuple(sorted(viewer.scopes)), viewer.national_id)


def rendering_viewer(viewer: Viewer) -> Viewer:
    """The audience's viewer, without what differs between its members."""
    national_id = None if viewer.has_scope(WATCH_ALL_PERMITS) else viewer.national_id
    return Viewer(kind=viewer.kind, national_id=national_id, scopes=viewer.scopes)


class AccessCapture:
    """Stands in for the audit while a group executes: whose data was read. Each member
    records those reads under its own operation (members of one group may run the same
    text as a trusted document or as an ad hoc one)."""

    __slots__ = ("subjects",)

    def __init__(self) -> None:
        self.subjects: list[str] = []

    def record(self, record: AccessRecord) -> None:
        self.subjects.append(record.subject_id)


class NextPayload:
    """One event's payload for a group, encoded once, and each member's message built on it."""

    __slots__ = ("_headers", "_tail", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._tail: bytes | None = None
        # Frame headers by frame length: members' ids are mostly of a few lengths.
        self._headers: dict[int, bytes] = {}

    def frame(self, prefix: bytes) -> bytes:
        """The whole WebSocket text frame of the ``next`` message behind ``prefix``."""
        tail = self._tail
        if tail is None:
            tail = self._tail = (self.text + "}").encode()
        length = len(prefix) + len(tail)
        header = self._headers.get(length)
        if header is None:
            header = self._headers[length] = text_frame_header(length)
        return header + prefix + tail


class GroupMember:
    """One subscription in a group: its operation id, connection and delivery position."""

    __slots__ = ("context", "direct", "held", "outbox", "position", "prefix", "prefix_bytes")

    def __init__(self, op_id: str, context: Context, outbox: ConnectionOutbox) -> None:
        self.prefix = '{"id":' + orjson.dumps(op_id).decode() + ',"type":"next","payload":'
        self.prefix_bytes = self.prefix.encode()
        self.context = context
        self.outbox = outbox
        self.direct = outbox.direct
        self.position = 0
        # Live events that arrive while the member catches up from the change log.
        self.held: collections.deque[tuple[int, NextPayload, list[str]]] | None = None

    def frame(self, payload: NextPayload) -> Frame:
        """This member's ``next`` message: a whole frame, or text for ASGI to frame."""
        if self.direct:
            return payload.frame(self.prefix_bytes)
        return self.prefix + payload.text + "}"

    def deliver(self, event_id: int, payload: NextPayload, subjects: list[str]) -> None:
        if self.held is not None:
            if len(self.held) >= self.outbox_capacity():
                self.outbox.close_slow()
                return
            self.held.append((event_id, payload, subjects))
            return
        if event_id <= self.position:
            return
        self.position = event_id
        self.record(subjects)
        if self.direct:  # the frame method, inlined: this runs for every delivery
            self.outbox.push(payload.frame(self.prefix_bytes))
        else:
            self.outbox.push(self.prefix + payload.text + "}")

    def outbox_capacity(self) -> int:
        return self.context.services.events.capacity

    def record(self, subjects: list[str]) -> None:
        own = self.context.viewer.national_id
        for subject in subjects:
            if subject != own:
                record_access_by(self.context, subject)

    def release_held(self) -> None:
        """Catch-up is over: send what arrived meanwhile, after the caught-up position."""
        held, self.held = self.held, None
        for event_id, payload, subjects in held or ():
            self.deliver(event_id, payload, subjects)


class SubscriberGroup:
    """Members sharing document, variables, audience and language; one task executes."""

    __slots__ = (
        "_events",
        "_registry",
        "_task",
        "_wake",
        "executions",
        "key",
        "locale",
        "members",
        "shared",
        "today",
        "variables",
        "viewer",
    )

    def __init__(
        self,
        registry: SubscriberGroups,
        key: GroupKey,
        shared: SharedDocument,
        variables: dict[str, Any],
        context: Context,
    ) -> None:
        self._registry = registry
        self.key = key
        self.shared = shared
        self.variables = variables
        self.viewer = rendering_viewer(context.viewer)
        self.locale = context.locale
        self.today: date = context.today
        self.members: set[GroupMember] = set()
        self.executions = 0  # how many times the document ran (tests count them)
        self._events: collections.deque[PermitEvent] = collections.deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def subscriber_count(self) -> int:
        return len(self.members)

    def offer(self, event: PermitEvent) -> None:
        if not may_see_event(self.viewer, event):
            return
        if len(self._events) >= self._registry.services.events.capacity:
            # The process itself cannot keep up: every member resumes with its cursor.
            for member in tuple(self.members):
                member.outbox.close_slow()
            self._events.clear()
            return
        self._events.append(event)
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def stop(self) -> None:
        # Let an execution in progress finish (a cancelled driver call can strand its
        # connection); the task ends by itself at the next wake-up.
        self._wake.set()

    async def _run(self) -> None:
        while self.members:
            await self._wake.wait()
            self._wake.clear()
            while self._events and self.members:
                event = self._events.popleft()
                try:
                    rendered = await self.render(event)
                except Exception:
                    # A bug, not an answer: members resume with their cursor once fixed.
                    logger.exception("a shared subscription could not render an event")
                    for member in tuple(self.members):
                        member.outbox.close_slow()
                    continue
                if rendered is None:
                    continue
                payload, subjects = NextPayload(rendered[0]), rendered[1]
                members = tuple(self.members)
                for start in range(0, len(members), DELIVERY_SLICE):
                    # One synchronous pass per slice: each member's frame goes to its
                    # transport (or outbox) without a task switch.
                    for member in members[start : start + DELIVERY_SLICE]:
                        member.deliver(event.id, payload, subjects)
                    # Thousands of sends in one go would hold every request in the process
                    # back for as long: let them run between slices.
                    await asyncio.sleep(0)

    async def render(self, event: PermitEvent) -> tuple[str, list[str]] | None:
        """The event's ``next`` payload for this audience, encoded, and the subjects read."""
        if not may_see_event(self.viewer, event):
            return None
        services = self._registry.services
        capture = AccessCapture()
        context = Context(
            viewer=self.viewer,
            locale=self.locale,
            today=self.today,
            loaders=Loaders(services.registries.civil, services.registries.passports),
            services=dataclasses.replace(
                services,
                store=dataclasses.replace(services.store, audit=cast(SqlAccessAuditLog, capture)),
            ),
            request_id=f"group-{uuid.uuid4().hex[:16]}",
        )
        schema = self._registry.schema
        self.executions += 1
        result = execute(
            schema.graphql_schema,
            self.shared.document,
            root_value=present_event(context, event),
            context_value=context,
            variable_values=self.variables,
            operation_name=self.shared.operation_name,
            executor_class=schema.execution_context_class,
            operation_extensions=None,
        )
        if inspect.isawaitable(result):
            result = await result
        payload: dict[str, object] = {"data": result.data}
        if result.errors:
            schema.process_errors(result.errors)
            presented = present_errors(
                result.errors, schema.messages, context, hide_suggestions=schema.hide_suggestions
            )
            payload["errors"] = [error.formatted for error in presented]
        # Text, not bytes: a browser's graphql-ws client cannot read binary frames.
        return orjson.dumps(payload).decode(), capture.subjects


class SubscriberGroups:
    """This process's groups, by key; a group lives while it has members."""

    def __init__(self, schema: GatewaySchema, services: Services) -> None:
        self.schema = schema
        self.services = services
        self._groups: dict[GroupKey, SubscriberGroup] = {}

    def __len__(self) -> int:
        return len(self._groups)

    def group(self, key: GroupKey) -> SubscriberGroup | None:
        return self._groups.get(key)

    def join(
        self,
        shared: SharedDocument,
        variables: dict[str, Any],
        context: Context,
        member: GroupMember,
    ) -> SubscriberGroup:
        """Add ``member`` to its group (creating it); no await, so no event slips between."""
        key: GroupKey = (
            shared.digest,
            shared.operation_name,
            orjson.dumps(variables, option=orjson.OPT_SORT_KEYS).decode(),
            audience_of(context.viewer),
            context.locale,
        )
        group = self._groups.get(key)
        if group is None:
            group = SubscriberGroup(self, key, shared, variables, context)
            self._groups[key] = group
            self.services.events.attach(group)
            group.members.add(member)
            group.start()
        else:
            group.members.add(member)
        return group

    def leave(self, group: SubscriberGroup, member: GroupMember) -> None:
        group.members.discard(member)
        if not group.members and self._groups.get(group.key) is group:
            del self._groups[group.key]
            self.services.events.detach(group)
            group.stop()
