# chithi demo: lời dẫn
demo-intro = Chithi — bản chạy thử. Chưa cấu hình token nên Chithi chạy với máy chủ Bot API giả lập trên máy này; dữ liệu lưu ở {$db}.
demo-sandbox = Máy chủ giả lập chạy tại {$url} (giới hạn gửi như Telegram thật).
demo-import = Nhập cây tổ chức mẫu (tỉnh Bình Phước) và danh sách đảng viên mẫu.
demo-imported = Đã nhập {$units} đơn vị và {$members} người.
demo-cast = Cảnh này diễn ra ở chi bộ {$cell}, có {$sample} người trong danh sách mẫu. Thêm 3 người: Thu (bí thư) và Phúc được nhập ngay bây giờ, An sẽ tự tham gia qua đường liên kết. Vậy chi bộ có {$total} người, cả danh sách {$members}.
demo-link = Bí thư chi bộ thêm Chithi vào nhóm của chi bộ và gắn nhóm với đơn vị.
demo-join = Đồng chí An có tên trong danh sách chi bộ nhưng chưa dùng Chithi, mở đường liên kết tham gia của chi bộ (mã QR in sẵn) và gửi số điện thoại: được nhận ra ngay.
demo-publish = Quản trị viên ban hành công văn {$number} (như lệnh: chithi publish directives.toml).
demo-published = Đã xếp hàng gửi {$messages} tin: bài đăng vào {$chats} nhóm đã gắn, {$qr} ảnh mã QR (một cho mỗi liên kết trong bài) và {$private} bản gửi riêng (cho người đã mở cuộc trò chuyện riêng với Chithi: An). Chithi đăng bài vào nhóm, nút bấm ngay dưới bài:
demo-qr = Rồi ảnh mã QR của liên kết, ngay khi giới hạn của Telegram cho phép: mỗi nhóm tối đa {$per_second} tin/giây và {$per_minute} tin/phút.
demo-photo = (ảnh mã QR)
demo-private-copy = An cũng nhận bài trong trò chuyện riêng (cùng nội dung, cùng nút; đây là dòng đầu):
demo-press = Đảng viên bấm nút xác nhận ngay dưới bài đăng (bấm hai lần chỉ ghi một lần).
demo-counters = Bộ đếm trên bài đăng được cập nhật (gộp lại, tối đa vài giây một lần):
demo-counters-why = Đã nhận 2: Phúc bấm ✅, An bấm 📖 (đã học tập thì cũng đã nhận). Đã học 1: An; lần bấm thứ hai của An không ghi thêm. {$total} là số người của chi bộ.
demo-pending = Bí thư hỏi: ai chưa xác nhận?
demo-toast = thông báo cho {$name}
demo-private = trò chuyện riêng
demo-summary = Tóm tắt: {$units} đơn vị; {$members} người ({$sample} trong danh sách mẫu + {$added} của cảnh này: Thu, Phúc, An); {$chats} nhóm đã gắn; {$sent} tin gửi qua hàng đợi (bài đăng, ảnh mã QR, bản riêng cho An; câu trả lời lệnh và thông báo khi bấm nút đi thẳng); {$confirmations} lượt xác nhận được ghi (Phúc: đã nhận; An: đã nhận và đã học tập); Chithi gọi Bot API {$calls} lần ({$methods}), {$flood} lần bị từ chối vì gửi quá nhanh.
demo-next =
    Dữ liệu của bản chạy thử nằm ở {$where} (lần chạy thử sau làm lại từ đầu). Lệnh chithi tiếp theo dùng nó khi đặt CHITHI_DATABASE__URL, ví dụ, trong thư mục này, in đường liên kết và mã QR tham gia của từng đơn vị:
        CHITHI_DATABASE__URL={$url} chithi units links --out qr/
demo-real = Chạy với Telegram thật: đặt token trong config.toml (xem config.example.toml) rồi chạy lại lệnh này.
