# Gửi tin: báo cho bí thư khi một nhóm hoặc một người không còn nhận được tin của Chithi
delivery-gone-chat =
    ⚠️ Chithi không gửi được văn bản số <b>{$number}</b> ({$title}) vào nhóm «{$chat}»: {$reason}.
    Các tin sau cho nhóm này sẽ tạm dừng. Xin đồng chí kiểm tra lại nhóm, thêm lại Chithi vào nhóm nếu cần rồi gắn lại nhóm với đơn vị bằng lệnh /link.
delivery-gone-chat-message =
    ⚠️ Chithi không gửi được một thông báo vào nhóm «{$chat}»: {$reason}.
    Các tin sau cho nhóm này sẽ tạm dừng. Xin đồng chí kiểm tra lại nhóm, thêm lại Chithi vào nhóm nếu cần rồi gắn lại nhóm với đơn vị bằng lệnh /link.
delivery-gone-member =
    ⚠️ Chithi không gửi được bản riêng văn bản số <b>{$number}</b> ({$title}) tới đồng chí {$name}: {$reason}.
    Đồng chí ấy vẫn xem được văn bản trong nhóm của đơn vị. Nếu cần nhận tin riêng, xin nhắc đồng chí ấy mở lại Chithi và bấm «Bắt đầu».
delivery-gone-member-message =
    ⚠️ Chithi không gửi được một tin nhắn tới đồng chí {$name}: {$reason}.
    Nếu cần nhận tin riêng, xin nhắc đồng chí ấy mở lại Chithi và bấm «Bắt đầu».
delivery-cause-blocked = người nhận đã chặn Chithi
delivery-cause-kicked = Chithi đã bị mời ra khỏi nhóm
delivery-cause-deleted = cuộc trò chuyện không còn tồn tại (có thể đã bị xoá)
delivery-cause-not-member = Chithi không còn là thành viên của nhóm
delivery-cause-no-rights = Chithi không có quyền gửi tin nhắn ở đó
delivery-cause-other = Telegram từ chối nhận tin
sender-started = Bộ gửi tin đã chạy ({$worker}); dừng bằng Ctrl+C.
sender-needs-token = Chế độ --sender-only cần token của Chithi: đặt [bot] token trong tệp cấu hình (hoặc biến CHITHI_BOT__TOKEN).
