# Ban hành chỉ thị: lỗi và kết quả
draft-file-not-found = không tìm thấy tệp {$file}
draft-invalid-toml = tệp {$file} sai cú pháp TOML: {$detail}
draft-no-directive = tệp {$file} không có mục [[directive]] nào
draft-unknown-key = văn bản thứ {$index}: không có trường "{$key}"
draft-missing = văn bản thứ {$index}: thiếu trường "{$key}"
draft-bad-type = văn bản thứ {$index}: trường "{$key}" cần dạng {$expected}
publish-bad-number = Số hiệu "{$number}" không hợp lệ (tối đa 64 ký tự: chữ, số, - / .).
publish-unknown-target = Không có đơn vị mã "{$code}".
publish-deadline-past = Hạn {$which} ({$when}) đã qua. Hãy nhập một thời điểm trong tương lai.
publish-bad-report-every = Chu kỳ báo cáo "{$value}" không hợp lệ; dùng quarter, half-year hoặc year.
publish-report-every-needs-deadline = Báo cáo định kỳ cần có hạn báo cáo đầu tiên (report_by).
publish-attachment-missing = Không tìm thấy tệp đính kèm {$file}.
publish-duplicate = Văn bản số {$number} của {$issuer} đã được ban hành rồi.
publish-not-allowed = Chỉ quản trị viên và bí thư mới được ban hành văn bản.
publish-outside-subtree = Bạn chỉ được gửi đến các đơn vị mình phụ trách; "{$code}" nằm ngoài.
cli-publish-failed = {$file}: không ban hành văn bản nào — {$reason}
cli-published = Đã ban hành {$number}: {$chats} nhóm, {$private} bản gửi riêng, {$messages} tin nhắn vào hàng đợi gửi.
