"""Delivery: everything that goes out to Telegram — the outbox sender and its pacing, the flood
rate limiter for direct replies, the Bot API port and HTTP transport, sender identity and
figures, the stopped-broadcast guard and the counters refresher."""
