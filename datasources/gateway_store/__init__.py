"""The gateway's own state: credentials and sessions, partner keys, the access audit,
sign-in attempt counters, notifications, the SMS outbox, rate limits and cost budgets."""
