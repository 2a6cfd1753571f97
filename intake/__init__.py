"""foibot domain core: pure, no sockets, no clock reads, no Slack."""
