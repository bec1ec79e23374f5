# Start-up failures (chithi ...): one line each, what is wrong and what to check
startup-bad-token = the Bot API at {$url} refused the token (401/404): check [bot] token (or CHITHI_BOT__TOKEN) against the one @BotFather gave.
startup-no-bot-api = cannot reach the Bot API at {$url} ({$detail}): check the network and [bot] base_url.
startup-db-unreachable = cannot connect to the database {$url} ({$detail}): is the database server running and listening there? Check [database] url.
startup-db-missing = the database {$url} does not exist: create it (createdb {$name}) or fix [database] url.
startup-db-login = the database {$url} refused the login ({$detail}): check the user and password in [database] url.
# Dates and units (sane ranges, storage limits)
date-out-of-range = The year of "{$value}" must be between {$first} and {$last}.
import-too-deep = the unit is {$depth} levels below the top of the tree; the tree can hold at most {$max} levels along this branch (a parent chain this deep is probably a mistake in parent_code)
