"""The daily digest: its settings commands, building a day's digest,
when it is due, and posting it on schedule."""
