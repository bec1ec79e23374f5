# Số liệu trên danh sách đơn vị; học tập tại buổi sinh hoạt; ghi nhận thay
pending-not-using = Chưa sử dụng Chithi, cần liên hệ trực tiếp ({$count})
summary-not-using = Chưa sử dụng Chithi, cần liên hệ trực tiếp hoặc qua điện thoại: {$names}
cmd-meeting = Ghi nhận học tập tại buổi sinh hoạt
cmd-mark = Ghi nhận thay một đồng chí
meeting-usage =
    Cú pháp: /meeting số-hiệu [mã-đơn-vị] [ngày/tháng/năm]
    Ví dụ: /meeting 1208-CV/BTGTU BP-DX-01 15/01/2027. Không ghi ngày thì tính là hôm nay.
meeting-not-secretary = Lệnh này dành cho bí thư: đồng chí chỉ ghi nhận được cho đơn vị mình phụ trách.
meeting-which-unit = Xin ghi thêm mã đơn vị, ví dụ: /meeting {$number} mã-đơn-vị
meeting-not-sent = Văn bản {$number} không gửi đến {$unit} nên không ghi nhận được cho đơn vị này.
meeting-bad-date = Ngày không hợp lệ. Xin ghi theo dạng ngày/tháng/năm, ví dụ {$example}.
meeting-future-date = Ngày {$date} chưa tới. Xin ghi ngày đã họp.
meeting-empty = Danh sách của {$unit} chưa có ai.
meeting-checklist =
    📖 <b>Học tập tại buổi sinh hoạt</b> — văn bản {$number}
    {$unit} ({$code}), ngày {$date}
    Có mặt: {$present}/{$total}. Bấm vào tên để bỏ chọn đồng chí vắng mặt, rồi bấm «Lưu».
meeting-save = 💾 Lưu
meeting-cancel = Huỷ
meeting-cancelled = Đã huỷ, chưa ghi nhận gì.
meeting-stale = Danh sách này đã lưu hoặc đã huỷ.
meeting-refused = Không lưu được: đồng chí không còn phụ trách đơn vị này, hoặc văn bản đã đóng.
meeting-saved = ✅ Đã ghi nhận buổi sinh hoạt ngày {$date} của {$unit}: {$attendees}/{$total} đồng chí có mặt, đã học tập văn bản {$number}.
meeting-saved-received = ✅ Đã ghi nhận buổi sinh hoạt ngày {$date} của {$unit}: {$attendees}/{$total} đồng chí có mặt, đã nhận văn bản {$number}.
mark-usage =
    Cú pháp: /mark số-hiệu họ-tên (hoặc một phần họ tên)
    Ví dụ: /mark 1208-CV/BTGTU Nguyễn Văn An
mark-no-match = Không thấy đồng chí nào tên «{$name}» trong các đơn vị đồng chí phụ trách.
mark-choose = Ghi nhận thay cho đồng chí nào (văn bản {$number})?
mark-received = ✅ Đã nhận — {$name}
mark-studied = 📖 Đã học — {$name}
mark-done-received = ✅ Đã ghi nhận thay: đồng chí {$name} đã nhận văn bản {$number}.
mark-done-studied = 📖 Đã ghi nhận thay: đồng chí {$name} đã học tập văn bản {$number}.
mark-already = Đồng chí {$name} đã được ghi nhận rồi.
