"""Domain services: free of Telegram, take a session, never commit."""
