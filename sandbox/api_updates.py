"""Bot API methods receiving updates: getUpdates and the webhook methods."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from sandbox.errors import bad_request, conflict
from sandbox.params import Params
from sandbox.updates import WebhookConfig
from sandbox.webhook import deliver_webhook
from sandbox.world import BotAccount, World

JSON = dict[str, Any]
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _allowed(p: Params) -> list[str] | None:
    allowed = p.list_("allowed_updates")
    return [str(kind) for kind in allowed] if allowed else None


async def get_updates(w: World, bot: BotAccount, p: Params) -> list[JSON]:
    """getUpdates: real long polling, offset confirmation, limit, allowed_updates."""
    if bot.webhook is not None:
        raise conflict(
            "can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first"
        )
    if p.has("allowed_updates"):
        bot.queue.allowed = _allowed(p)
    limit = min(100, max(1, p.int_("limit", 100) or 100))
    timeout = max(0.0, p.float_("timeout", 0.0))
    updates = await bot.queue.poll(p.int_("offset", 0) or 0, limit, timeout)
    w.notify()
    return updates


def stop_webhook(bot: BotAccount) -> None:
    """Cancel the delivery task of the bot's webhook, if any."""
    if bot.webhook is not None and bot.webhook.task is not None:
        bot.webhook.task.cancel()
    bot.webhook = None


async def set_webhook(w: World, bot: BotAccount, p: Params) -> bool:
    """setWebhook: updates are then POSTed to the URL (http allowed for local tests)."""
    url = p.str_("url") or ""
    if not url:
        return await delete_webhook(w, bot, p)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.str_("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    if w.http is None:
        raise bad_request("webhooks need a started sandbox server")
    stop_webhook(bot)
    if p.bool_("drop_pending_updates"):
        bot.queue.clear()
    if p.has("allowed_updates"):
        bot.queue.allowed = _allowed(p)
    hook = WebhookConfig(
        url=url,
        secret_token=secret,
        max_connections=p.int_("max_connections", 40) or 40,
        allowed_updates=bot.queue.allowed,
    )
    bot.webhook = hook
    bot.queue.supersede("setWebhook request")  # a waiting getUpdates now answers 409
    hook.task = asyncio.create_task(
        deliver_webhook(
            bot.queue, hook, lambda method, values: w.webhook_reply(bot, method, values)
        )
    )
    return True


async def delete_webhook(w: World, bot: BotAccount, p: Params) -> bool:
    """deleteWebhook, optionally dropping pending updates."""
    stop_webhook(bot)
    if p.bool_("drop_pending_updates"):
        bot.queue.clear()
    return True


async def get_webhook_info(w: World, bot: BotAccount, p: Params) -> JSON:
    """getWebhookInfo (url is empty when polling)."""
    hook = bot.webhook
    info: JSON = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(bot.queue.pending),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        info["ip_address"] = "127.0.0.1"
        if hook.allowed_updates:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info
