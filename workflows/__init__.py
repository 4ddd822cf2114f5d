"""KIM-specific process support: script helpers, service handlers, routing and demo data."""
