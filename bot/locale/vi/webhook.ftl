# chithi run: chế độ webhook, nhiều tiến trình, một tiến trình lấy cập nhật cho mỗi tài khoản Chithi
run-workers-need-webhook = --workers {$count} cần chế độ webhook: đặt [bot] mode = "webhook" (mỗi tài khoản Chithi chỉ một tiến trình lấy cập nhật; nhiều tiến trình dùng chung một cổng webhook).
run-workers-need-postgresql = --workers {$count} cần PostgreSQL: SQLite là một tệp trên một máy, chỉ phục vụ một tiến trình; đặt [database] url = "postgresql+asyncpg://...".
run-webhook-needs-url = Chế độ webhook cần [webhook] public_url (địa chỉ HTTPS mà Telegram gửi cập nhật tới, ví dụ https://bot.example.org).
run-webhook-needs-secret = Chế độ webhook cần [webhook] secret_token (1-256 ký tự A-Z a-z 0-9 _ -), để chỉ Telegram gửi được cập nhật.
run-poller-taken = Một tiến trình khác đang lấy cập nhật cho Chithi này (trên cùng cơ sở dữ liệu); hãy dừng nó trước, hoặc dùng chế độ webhook với --workers.
run-poller-conflict = Telegram đã ngắt tiến trình này: một tiến trình khác đang lấy cập nhật của Chithi (hoặc đã đặt webhook); hãy dừng nó trước.
