"""memo-bot's core: the `/memo` grammar, its rules and replies. No chat platform imports here."""
