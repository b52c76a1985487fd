"""What the gateway tells its operators about itself: metrics (and, beside them, traces).

A neutral package: it imports nothing of the gateway's, so every layer may record into it.
"""
