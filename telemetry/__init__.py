"""Operational telemetry (traces, metrics), wired in by ``gateway.py``; imports nothing of ours."""
