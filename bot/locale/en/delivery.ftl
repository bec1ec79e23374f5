# Delivery: telling secretaries when a chat or a person can no longer receive Chithi's messages
delivery-gone-chat =
    ⚠️ Chithi could not post directive no. <b>{$number}</b> ({$title}) to the group «{$chat}»: {$reason}.
    Further messages to this group are on hold. Please check the group, add Chithi back if needed, and link it to the unit again with /link.
delivery-gone-chat-message =
    ⚠️ Chithi could not post an announcement to the group «{$chat}»: {$reason}.
    Further messages to this group are on hold. Please check the group, add Chithi back if needed, and link it to the unit again with /link.
delivery-gone-member =
    ⚠️ Chithi could not send the private copy of directive no. <b>{$number}</b> ({$title}) to {$name}: {$reason}.
    They can still read the directive in their unit's group. To get private messages again, please ask them to open Chithi and press «Start».
delivery-gone-member-message =
    ⚠️ Chithi could not send a message to {$name}: {$reason}.
    To get private messages again, please ask them to open Chithi and press «Start».
delivery-cause-blocked = they blocked Chithi
delivery-cause-kicked = Chithi was removed from the group
delivery-cause-deleted = the chat no longer exists (it may have been deleted)
delivery-cause-not-member = Chithi is no longer a member of the group
delivery-cause-no-rights = Chithi is not allowed to post there
delivery-cause-other = Telegram refused the message
sender-started = The sender is running ({$worker}); stop it with Ctrl+C.
sender-needs-token = --sender-only needs the bot's token: set [bot] token in the config file (or CHITHI_BOT__TOKEN).
