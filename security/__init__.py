"""Who is asking and how much they may: tokens, authentication, passwords, rate and sign-in
limits, operation limits, query cost, trusted documents, introspection policy, body limit,
security headers and live-subscription slots."""
