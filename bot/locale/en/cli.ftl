# Command line (chithi ...): imports
import-summary = {$file}: {$created} created, {$updated} updated, {$unchanged} unchanged.
import-rejected = {$file}: {$count} bad row(s) — nothing was written to the database. Fix the rows below and run again.
import-row = {$file} line {$line}, column {$column}: {$reason}
import-more = … and {$count} more
import-missing-columns = missing column(s); expected: {$expected}
import-file-not-found = file not found
import-not-utf8 = the file is not UTF-8 text
import-empty = empty
import-bad-code = a unit code has at most 64 characters and no spaces
import-repeated = "{$value}" already on line {$other}
import-unknown-unit = no unit "{$value}" (import units first)
import-cycle = the parent makes a cycle in the tree
import-bad-telegram-id = expected a positive number, got "{$value}"
import-bad-role = expected member, deputy, secretary or admin (in the secretary's list: đảng viên, phó bí thư, bí thư, quản trị), got "{$value}"
import-bad-language = expected vi or en, got "{$value}"
db-upgraded = The database is up to date: {$url}
config-error = config error: {$detail}
