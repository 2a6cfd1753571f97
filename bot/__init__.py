"""foibot: the I/O edge (SMTP listener, Slack app, outbox worker, scheduler, CLI)."""
