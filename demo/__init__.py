"""The embedded default's stand-ins for the agencies: the demo and synthetic populations,
and the passports agency's review worker. Production runs none of it."""
