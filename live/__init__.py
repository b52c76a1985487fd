"""An event's trip from the bus to the sockets: subscriber groups, shared documents, each
connection's outbox and direct frames, and the notifier that records decisions."""
