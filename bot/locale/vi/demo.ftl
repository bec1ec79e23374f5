# chithi demo: lời dẫn
demo-intro = Chithi — bản chạy thử. Chưa cấu hình token nên bot chạy với máy chủ Bot API giả lập trên máy này; dữ liệu lưu ở {$db}.
demo-sandbox = Máy chủ giả lập chạy tại {$url} (giới hạn gửi như Telegram thật).
demo-import = Nhập cây tổ chức mẫu (tỉnh Bình Phước) và danh sách đảng viên mẫu.
demo-imported = Đã nhập {$units} đơn vị và {$members} người.
demo-link = Bí thư chi bộ thêm bot vào nhóm của chi bộ và gắn nhóm với đơn vị.
demo-join = Một đảng viên mới mở đường link tham gia của chi bộ (mã QR in sẵn) và xác nhận.
demo-publish = Quản trị viên ban hành công văn {$number} (như lệnh: chithi publish directives.toml).
demo-published = Đã xếp hàng gửi: {$chats} nhóm, {$private} bản gửi riêng, {$messages} tin nhắn. Bot đăng bài vào nhóm:
demo-press = Đảng viên bấm nút xác nhận ngay dưới bài đăng (bấm hai lần chỉ ghi một lần).
demo-counters = Bộ đếm trên bài đăng được cập nhật (gộp lại, tối đa vài giây một lần):
demo-pending = Bí thư hỏi: ai chưa xác nhận?
demo-toast = thông báo cho {$name}
demo-private = chat riêng
demo-more-lines = … ({$count} dòng nữa)
demo-summary =
    Tóm tắt: {$units} đơn vị, {$members} người, {$chats} nhóm đã gắn, {$sent} tin đã gửi, {$confirmations} lượt xác nhận được ghi; bot gọi Bot API {$calls} lần, {$flood} lần bị từ chối vì gửi quá nhanh.
    Chạy với Telegram thật: đặt token trong config.toml (xem config.example.toml) rồi chạy lại lệnh này.
