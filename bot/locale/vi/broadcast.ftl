# /broadcast: thông báo của quản trị viên (không cần xác nhận)
broadcast-not-admin = Lệnh /broadcast chỉ dành cho quản trị viên.
broadcast-private-only = Hãy dùng /broadcast trong cuộc trò chuyện riêng với Chithi.
broadcast-ask-content =
    📣 <b>Soạn thông báo</b>
    Hãy gửi nội dung thông báo: một tin nhắn văn bản, hoặc một ảnh hay một tệp kèm chú thích.
    Gõ /cancel để huỷ bất cứ lúc nào.
broadcast-content-unsupported = Tôi chỉ nhận văn bản, ảnh hoặc tệp. Hãy gửi lại nội dung thông báo, hoặc gõ /cancel để huỷ.
broadcast-empty = Thông báo chưa có nội dung. Hãy gửi một tin nhắn văn bản.
broadcast-too-long = Thông báo dài {$length} ký tự, tối đa {$limit}. Hãy rút gọn rồi gửi lại.
broadcast-caption-too-long = Chú thích dài {$length} ký tự; với ảnh hoặc tệp tối đa {$limit}. Hãy rút gọn rồi gửi lại.
broadcast-bad-media = Không gửi được loại nội dung "{$kind}". Hãy gửi văn bản, ảnh hoặc tệp.
broadcast-ask-targets = Gửi đến đơn vị nào? Bấm một nút bên dưới, hoặc gõ mã đơn vị (nhiều mã cách nhau bằng dấu phẩy), ví dụ: BP-DX, BP-BL. Thông báo sẽ đến mọi nhóm đã liên kết của các đơn vị đó và các đơn vị cấp dưới.
broadcast-no-targets = Chưa có mã đơn vị nào. Hãy gõ mã đơn vị, ví dụ: BP-DX.
broadcast-unknown-target = Không có đơn vị mã "{$code}". Kiểm tra lại rồi gõ lại mã đơn vị.
broadcast-no-chats = Các đơn vị {$targets} chưa có nhóm nào được liên kết với Chithi. Hãy chọn đơn vị khác, hoặc gõ /cancel để huỷ.
broadcast-targets-chosen = Gửi đến: {$targets}
broadcast-ask-pin = Gửi đến {$targets}. Có ghim thông báo trong các nhóm không? (Chithi cần quyền quản trị trong nhóm để ghim.)
broadcast-pin-yes = 📌 Có, ghim
broadcast-pin-no = Không ghim
broadcast-pin-chosen-yes = 📌 Sẽ ghim thông báo trong các nhóm.
broadcast-pin-chosen-no = Không ghim thông báo.
broadcast-preview-intro = 👀 Xem trước — thông báo sẽ hiện đúng như dưới đây:
broadcast-preview-failed = Không xem trước được thông báo ({$reason}). Hãy gửi lại nội dung, hoặc gõ /cancel để huỷ.
broadcast-confirm = Gửi thông báo trên đến {$chats} nhóm thuộc {$targets}?
broadcast-confirm-pinned = Gửi thông báo trên đến {$chats} nhóm thuộc {$targets} và ghim lại?
broadcast-send-button = ✅ Gửi
broadcast-cancel-button = ✖️ Huỷ
broadcast-use-buttons = Hãy chọn bằng các nút ở tin nhắn phía trên, hoặc gõ /cancel để huỷ.
broadcast-cancelled = Đã huỷ. Không có thông báo nào được gửi.
broadcast-stale = Nút này không còn hợp lệ. Gõ /broadcast để soạn thông báo mới.
broadcast-not-sent = Chưa gửi thông báo: {$reason} Gõ /broadcast để làm lại.
broadcast-started = Đã bắt đầu gửi.
# Tin nhắn tiến độ
broadcast-progress =
    📣 Đang gửi thông báo…
    Đã gửi {$sent}/{$total} · lỗi {$failed}
broadcast-stopping =
    ⏹ Đang dừng…
    Đã gửi {$sent}/{$total} · lỗi {$failed}
broadcast-done = ✅ Hoàn tất: đã gửi {$sent} · lỗi {$failed}
broadcast-stopped = ⏹ Đã dừng: đã gửi {$sent} · lỗi {$failed} · huỷ {$cancelled}
broadcast-stop-button = ⏹ Dừng
broadcast-stop-done = Đã dừng: không gửi thêm tin nào nữa. Kết quả cuối cùng sẽ hiện ở tin nhắn tiến độ.
broadcast-stop-finished = Thông báo này đã gửi xong.
broadcast-stop-already = Thông báo này đã được dừng.
broadcast-stop-not-allowed = Chỉ người gửi hoặc quản trị viên mới dừng được thông báo này.
broadcast-stop-unknown = Nút này không còn hợp lệ.
# Dòng lệnh: chithi broadcast
cli-broadcast-queued = Thông báo #{$id}: {$chats} nhóm đã vào hàng đợi. Chithi đang chạy sẽ gửi đi.
cli-broadcast-bar = Đang gửi
cli-broadcast-bar-failed = lỗi {$failed}
cli-broadcast-failed = Không gửi thông báo — {$reason}
cli-broadcast-file-missing = không tìm thấy tệp {$file}.
cli-broadcast-ask-stop = Dừng gửi phần còn lại? [c/K]:{" "}
cli-broadcast-yes = c có co y yes
cli-broadcast-stopped-now = Đã dừng: không gửi thêm tin nào nữa.
cli-broadcast-continue = Tiếp tục gửi.
