"""One JSON line per request, and no national ID, token or code in any log line."""

from __future__ import annotations

import logging

import orjson

from demo.demo_population import GUARDIAN, SARA
from telemetry.request_log import JsonFormatter
from tests.support.permit_helpers import cancel, issue
from tests.support.sign_in_flow import latest_code, sign_in


async def test_a_full_flow_logs_one_line_per_request_and_nothing_personal(
    fresh_gateway, caplog
) -> None:
    caplog.set_level(logging.INFO)
    session = await sign_in(fresh_gateway, GUARDIAN.national_id)
    code = await latest_code(fresh_gateway, GUARDIAN.national_id)
    created = await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
    await cancel(fresh_gateway, GUARDIAN.national_id, created["permit"]["id"], "no longer needed")
    response = await fresh_gateway.post(
        "{ me { nationalId } }", headers={"X-Request-ID": "r-1"}, token=session["accessToken"]
    )

    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    requests = [
        orjson.loads(line)
        for line, record in zip(lines, caplog.records, strict=True)
        if record.name == "bawaba.requests"
    ]
    assert [r["operation"] for r in requests] == [
        "StartLogin",
        "CompleteLogin",
        "IssueTravelPermit",
        "CancelTravelPermit",
        "anonymous",
    ]
    last = requests[-1]
    assert last["requestId"] == "r-1" == response.headers["x-request-id"]
    assert last["caller"] == "person" and last["status"] == 200 and last["outcome"] == "ok"
    assert last["durationMs"] >= 0 and len(last["callerHash"]) == 16
    everything = "\n".join(lines)
    for secret in (
        GUARDIAN.national_id,
        SARA.national_id,
        code,
        session["accessToken"],
        session["refreshToken"],
        "+966501234567",
        "no longer needed",
    ):
        assert secret not in everything, secret


async def test_failed_requests_log_their_codes(gateway, caplog) -> None:
    caplog.set_level(logging.INFO)
    await gateway.post("{ me { nationalId } }")  # anonymous: UNAUTHENTICATED
    record = [r for r in caplog.records if r.name == "bawaba.requests"][-1]
    assert record.fields["outcome"] == "error"
    assert record.fields["errors"] == ["UNAUTHENTICATED"]
    assert record.fields["caller"] == "anonymous" and record.fields["callerHash"] is None
