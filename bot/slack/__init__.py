"""Slack: the Bolt app, its handlers, and the Slack lane of the outbox."""
