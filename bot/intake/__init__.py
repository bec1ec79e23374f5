"""How updates come in: long polling or a webhook, both through one router."""
