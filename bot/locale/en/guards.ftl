# Guards shared by every handler: names kept out of groups, one refusal for "no such" and "not yours".
names-sent-private = 📬 Answered you in your private chat with the bot: lists that name people are not posted in groups.
names-open-private = Lists that name people are only sent in a private chat. Open {$link}, press Start and send the command again there.
directive-not-found = No directive numbered {$number} was found. You can only see directives sent to the units you manage; please check the number.
link-no-unit = There is no unit with code "{$code}" that you may link a group or channel to. Only the unit's secretary (or one above it) and administrators can; please check the code or ask your secretary.
unit-not-yours = There is no unit with code "{$code}" among the units you are in charge of. Please check the code.
