"""What tests do as Telegram's users and admins: create accounts, write, press, migrate."""

from __future__ import annotations

from typing import Any

from sandbox.entities import detect_entities
from sandbox.files import store_document, store_photo
from sandbox.keyboards import callback_datas, reply_keyboard_rows
from sandbox.objects import chat_member, json_copy
from sandbox.state import (
    ACTIVE_STATUSES,
    CHAT_TYPES,
    MEMBER_STATUSES,
    PRIVATE,
    RecordedCall,
    SandboxChat,
    SandboxUser,
)
from sandbox.world import GROUP_ANONYMOUS_BOT, BotAccount, CallbackRecord, World

JSON = dict[str, Any]


class SandboxActors(World):
    """The test-facing (user side) API of the sandbox."""

    # -- accounts and chats ---------------------------------------------------------------
    def create_bot(
        self,
        username: str = "chithi_bot",
        first_name: str = "Chithi",
        *,
        can_read_all_group_messages: bool = False,
        token: str | None = None,
    ) -> str:
        """Register a bot; returns its token ``"<bot id>:<secret>"`` (``token`` given: that one,
        e.g. one already written in a config file)."""
        return self.new_bot(username, first_name, can_read_all_group_messages, token).token

    def create_user(
        self,
        first_name: str = "User",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        phone_number: str | None = None,
    ) -> SandboxUser:
        """Register a person (their private chat id is their user id); ``phone_number`` is
        what they share with a ``request_contact`` button."""
        return self.new_user(
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            phone_number=phone_number,
        )

    def create_chat(
        self, type: str = "group", title: str = "Group", username: str | None = None
    ) -> SandboxChat:
        """Create a ``group``, ``supergroup`` or ``channel`` (negative id)."""
        if type not in CHAT_TYPES:
            raise ValueError(f"type must be one of {CHAT_TYPES}")
        return self.new_chat(type, title, username)

    def _member_update(
        self, bot: BotAccount, chat: SandboxChat, actor: SandboxUser, old: str, new: str
    ) -> None:
        payload = {
            "chat": chat.to_api(),
            "from": actor.to_api(),
            "date": self.now(),
            "old_chat_member": chat_member(bot.user, old, chat, is_self=True),
            "new_chat_member": chat_member(bot.user, new, chat, is_self=True),
        }
        self.push(bot, "my_chat_member", payload)

    def _actor(self, chat: SandboxChat, user_id: int | None) -> SandboxUser:
        """The user doing an admin action: given, else the creator/an admin, else anonymous."""
        if user_id is not None:
            return self.user(user_id)
        for wanted in ("creator", "administrator"):
            for uid, status in chat.members.items():
                if status == wanted and not self.users[uid].is_bot:
                    return self.users[uid]
        return GROUP_ANONYMOUS_BOT

    def add_chat_member(
        self, chat_id: int, user_id: int, status: str = "member", *, announce: bool = False
    ) -> None:
        """Put a user in a group/channel; ``announce`` also sends the new_chat_members message."""
        chat, user = self._live_chat(chat_id), self.user(user_id)
        if chat.type == PRIVATE or status not in MEMBER_STATUSES:
            raise ValueError(f"status must be one of {MEMBER_STATUSES} in a group or channel")
        chat.members[user.id] = status
        if announce and chat.is_group:
            joined = self.add_message(chat, 0, {"new_chat_members": [user.to_api()]}, sender=user)
            self.fan_out(chat, joined.data, service=True)
        self.notify()

    def add_bot_to_chat(
        self,
        chat_id: int,
        token: str,
        by_user_id: int | None = None,
        status: str = "member",
        *,
        announce: bool = True,
    ) -> None:
        """Add the bot to a group/channel: queues my_chat_member (and, in groups, the
        new_chat_members service message unless ``announce=False``)."""
        chat, bot = self._live_chat(chat_id), self.bot(token)
        if chat.type == PRIVATE or status not in MEMBER_STATUSES:
            raise ValueError(f"status must be one of {MEMBER_STATUSES} in a group or channel")
        if chat.type == "channel" and status not in ("administrator", "creator"):
            raise ValueError("bots can only be added to channels as administrators")
        old = chat.members.get(bot.id, "left")
        chat.members[bot.id] = status
        actor = self._actor(chat, by_user_id)
        self._member_update(bot, chat, actor, old, status)
        if announce and chat.is_group and old not in ACTIVE_STATUSES:
            joined = self.add_message(
                chat, 0, {"new_chat_members": [bot.user.to_api()]}, sender=actor
            )
            self.fan_out(chat, joined.data, service=True)

    def _live_chat(self, chat_id: int) -> SandboxChat:
        chat = self.chat(chat_id)
        if chat.deleted or chat.migrated_to is not None:
            raise ValueError(f"chat {chat_id} was deleted or migrated to {chat.migrated_to}")
        return chat

    # -- user messages ------------------------------------------------------------------
    def _user_post(
        self,
        token: str,
        user_id: int,
        chat_id: int | None,
        content: JSON,
        reply_to: int | None,
    ) -> JSON:
        bot, user = self.bot(token), self.user(user_id)
        chat = self._live_chat(user.id if chat_id is None else chat_id)
        if chat.type == PRIVATE:
            if chat.id != user.id:
                raise ValueError("a user can only write in their own private chat with the bot")
            self._open_private(bot, user)
        elif chat.type != "channel" and chat.members.get(user.id) not in ACTIVE_STATUSES:
            raise ValueError(f"user {user.id} is not a member of chat {chat.id}")
        if reply_to is not None:
            replied = self.find_message(chat, bot.id, reply_to)
            if replied is None:
                raise ValueError(f"no message {reply_to} to reply to in chat {chat.id}")
            content["reply_to_message"] = json_copy(replied.data)
            content["reply_to_message"].pop("reply_to_message", None)
        channel = chat.type == "channel"
        stored = self.add_message(
            chat,
            bot.id,
            content,
            sender=None if channel else user,
            sender_chat=chat if channel else None,
        )
        if chat.type == PRIVATE:
            self.push(bot, "message", stored.data)
        else:
            self.fan_out(chat, stored.data)
        return json_copy(stored.data)

    def _open_private(self, bot: BotAccount, user: SandboxUser) -> None:
        """Writing to a bot starts the chat, and restarts it if the user had blocked it."""
        self.started.add((bot.id, user.id))
        if (bot.id, user.id) in self.blocked:
            self.blocked.discard((bot.id, user.id))
            self._member_update(bot, self.chats[user.id], user, "kicked", "member")

    def send_text(
        self,
        token: str,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        *,
        reply_to: int | None = None,
    ) -> JSON:
        """A user writes ``text`` (entities detected like Telegram clients); ``chat_id`` None
        means the private chat with the bot. Returns the Message dict."""
        content: JSON = {"text": text}
        if entities := detect_entities(text):
            content["entities"] = entities
        return self._user_post(token, user_id, chat_id, content, reply_to)

    def send_photo(
        self,
        token: str,
        user_id: int,
        data: bytes,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """A user sends a photo (downloadable by the bot via getFile)."""
        content: JSON = {"photo": store_photo(self, data)}
        if caption:
            content["caption"] = caption
        return self._user_post(token, user_id, chat_id, content, None)

    def send_document(
        self,
        token: str,
        user_id: int,
        data: bytes,
        file_name: str = "file.bin",
        mime_type: str | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """A user sends a document (downloadable by the bot via getFile)."""
        content: JSON = {"document": store_document(self, data, file_name, mime_type)}
        if caption:
            content["caption"] = caption
        return self._user_post(token, user_id, chat_id, content, None)

    def send_contact(
        self,
        token: str,
        user_id: int,
        phone_number: str,
        first_name: str,
        *,
        last_name: str | None = None,
        contact_user_id: int | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """A user sends a contact card (anyone's: picked from their address book or
        forwarded); ``contact_user_id`` is the Telegram account it belongs to, if any."""
        contact: JSON = {"phone_number": phone_number, "first_name": first_name}
        if last_name is not None:
            contact["last_name"] = last_name
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        return self._user_post(token, user_id, chat_id, {"contact": contact}, None)

    def share_contact(self, token: str, user_id: int) -> JSON:
        """A user presses the ``request_contact`` button of the reply keyboard the bot shows
        in their private chat: their own number is sent as a contact, as Telegram does (the
        client asks first; here the user always agrees)."""
        bot, user = self.bot(token), self.user(user_id)
        markup = self.reply_keyboards.get((user.id, bot.id))
        buttons = reply_keyboard_rows(markup) if markup else []
        if not any(b.get("request_contact") for row in buttons for b in row):
            raise ValueError(f"the bot shows no contact button in the chat of user {user.id}")
        if user.phone_number is None:
            raise ValueError(f"user {user.id} has no phone number")
        if markup and markup.get("one_time_keyboard"):
            self.reply_keyboards.pop((user.id, bot.id), None)
        return self.send_contact(
            token,
            user.id,
            user.phone_number,
            user.first_name,
            last_name=user.last_name,
            contact_user_id=user.id,
        )

    def edit_text(
        self, token: str, user_id: int, chat_id: int | None, message_id: int, text: str
    ) -> JSON:
        """A user edits the text of a message they sent (``chat_id`` None: their private chat
        with the bot): queues ``edited_message`` (``edited_channel_post`` in a channel) with
        the new text and ``edit_date``. Returns the edited Message dict."""
        bot, user = self.bot(token), self.user(user_id)
        chat = self._live_chat(user.id if chat_id is None else chat_id)
        stored = self.find_message(chat, bot.id, message_id)
        author = (stored.data.get("from") or {}).get("id") if stored is not None else None
        if stored is None or stored.bot_id is not None or "text" not in stored.data:
            raise ValueError(f"no text message {message_id} from a user in chat {chat.id}")
        if chat.type != "channel" and author != user.id:
            raise ValueError(f"message {message_id} in chat {chat.id} was not sent by {user.id}")
        stored.data["text"] = text
        stored.data.pop("entities", None)
        if entities := detect_entities(text):
            stored.data["entities"] = entities
        stored.data["edit_date"] = self.now()
        stored.edited = True
        if chat.type == PRIVATE:
            self.push(bot, "edited_message", stored.data)
        else:
            self.fan_out(chat, stored.data, edited=True)
        return json_copy(stored.data)

    def press_button(
        self,
        token: str,
        user_id: int,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        forged: bool = False,
    ) -> str:
        """A user presses an inline button; returns the callback query id. The update carries
        the message as the bot last set it. ``forged=True`` allows data not on the keyboard
        (and messages that no longer exist)."""
        bot, user = self.bot(token), self.user(user_id)
        chat = self.chat(chat_id)
        stored = self.find_message(chat, bot.id, message_id)
        message: JSON
        if stored is None or stored.bot_id != bot.id:
            if not forged:
                raise ValueError(f"no message {message_id} from this bot in chat {chat_id}")
            message = {"chat": chat.to_api(), "message_id": message_id, "date": 0}
        else:
            message = json_copy(stored.data)
            buttons = callback_datas(stored.data.get("reply_markup"))
            if not forged and data not in buttons:
                raise ValueError(f"no button with callback_data {data!r}; buttons: {buttons}")
        query_id = str(6_100_000_000_000_000_000 + self.serial())
        self.callbacks[query_id] = CallbackRecord(bot.id)
        payload = {
            "id": query_id,
            "from": user.to_api(),
            "chat_instance": str((bot.id * 7_919 + chat.id) % 10**18),
            "message": message,
            "data": data,
        }
        self.push(bot, "callback_query", payload)
        return query_id

    # -- admin-side events --------------------------------------------------------------
    def migrate_to_supergroup(self, chat_id: int) -> int:
        """Upgrade a group: bot calls to the old id then answer 400 with migrate_to_chat_id.
        Queues the two service messages (old chat: migrate_to_chat_id; new: migrate_from)."""
        old = self._live_chat(chat_id)
        if old.type != "group":
            raise ValueError("only basic groups can be migrated")
        new = self.new_chat("supergroup", old.title or "", None)
        new.members = dict(old.members)
        new.migrated_from = old.id
        actor = self._actor(old, None)
        moved = self.add_message(old, 0, {"migrate_to_chat_id": new.id}, sender=actor)
        self.fan_out(old, moved.data, service=True)
        old.migrated_to = new.id
        arrived = self.add_message(
            new,
            0,
            {"migrate_from_chat_id": old.id},
            sender=GROUP_ANONYMOUS_BOT,
            sender_chat=new,
        )
        self.fan_out(new, arrived.data, service=True)
        return new.id

    def block_bot(self, token: str, user_id: int) -> None:
        """The user blocks the bot: private sends answer 403; queues my_chat_member."""
        bot, user = self.bot(token), self.user(user_id)
        if (bot.id, user.id) not in self.blocked:
            self.blocked.add((bot.id, user.id))
            self._member_update(bot, self.chats[user.id], user, "member", "kicked")

    def unblock_bot(self, token: str, user_id: int) -> None:
        """The user restarts the bot after blocking it."""
        self._open_private(self.bot(token), self.user(user_id))

    def kick_bot(self, token: str, chat_id: int, by_user_id: int | None = None) -> None:
        """Remove the bot from a group/channel: sends answer 403; queues my_chat_member."""
        bot, chat = self.bot(token), self._live_chat(chat_id)
        if chat.type == PRIVATE:
            raise ValueError("use block_bot for private chats")
        old = chat.members.get(bot.id, "left")
        chat.members[bot.id] = "kicked"
        self._member_update(bot, chat, self._actor(chat, by_user_id), old, "kicked")

    def delete_chat(self, chat_id: int) -> None:
        """The chat disappears: bot calls answer 400 "chat not found"."""
        self.chat(chat_id).deleted = True
        self.notify()

    # -- inspection ----------------------------------------------------------------------
    def messages(self, chat_id: int, token: str | None = None) -> list[JSON]:
        """Current state of the bot-sent messages in a chat (not deleted), in send order,
        with ``edited``/``pinned``/``deleted`` flags."""
        return [m.snapshot() for m in self.bot_messages(chat_id, token) if not m.deleted]

    def all_sent_messages(self, token: str | None = None) -> list[JSON]:
        """Every message any (or the given) bot sent, deleted ones included."""
        return [m.snapshot() for m in self.bot_messages(None, token)]

    def calls_for(self, chat_id: int) -> list[RecordedCall]:
        """Recorded bot calls addressed to one chat."""
        return [call for call in self.calls if call.chat_id == chat_id]

    def pending_updates(self, token: str) -> list[JSON]:
        """Updates queued for a bot and not yet confirmed."""
        return self.bot(token).queue.pending
