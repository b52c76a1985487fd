"""What the gateway tells its operators about itself: metrics, traces, the request log,
request IDs and the /metrics endpoint. It imports nothing of the gateway's above it, so
every room may record into it."""
