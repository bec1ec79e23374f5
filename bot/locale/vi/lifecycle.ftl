# Sửa đổi, thu hồi, thay thế văn bản đã ban hành (/amend, /recall, supersedes)
cmd-amend = Sửa đổi văn bản đã ban hành
cmd-recall = Thu hồi văn bản đã ban hành
lifecycle-not-allowed = Chỉ quản trị viên, người ban hành hoặc bí thư phụ trách mọi đơn vị nhận văn bản {$number} mới sửa đổi, thu hồi hoặc thay thế được văn bản này.
lifecycle-closed-recalled = Văn bản {$number} đã thu hồi, không sửa đổi hay thu hồi được nữa.
lifecycle-closed-superseded = Văn bản {$number} đã được thay thế bởi văn bản khác, không sửa đổi hay thu hồi được nữa.
lifecycle-closed-other = Văn bản {$number} đã đóng, không sửa đổi hay thu hồi được nữa.
lifecycle-amended-mark = ✏️ <i>Văn bản đã sửa đổi ngày {$date}</i>
lifecycle-recalled-mark = ⛔ <b>Văn bản đã thu hồi</b> ngày {$date}, không còn hiệu lực.
lifecycle-superseded-mark = 🔁 <b>Văn bản được thay thế bởi văn bản số {$number}</b>
lifecycle-superseded-link = 🔁 <b>Văn bản được thay thế bởi văn bản số <a href="{$url}">{$number}</a></b>
amend-part-dropped = <i>(Phần này đã được lược bỏ khi sửa đổi văn bản.)</i>
amend-too-long = Nội dung sửa đổi cần {$parts} tin nhắn nhưng văn bản chỉ được đăng thành {$posted} tin nhắn. Xin rút gọn nội dung, hoặc ban hành văn bản mới thay thế văn bản này.
amend-nothing = Chưa có gì để sửa đổi. Xin chọn nội dung, đường liên kết hoặc hạn cần sửa.
amend-note = ✏️ Văn bản số {$number} ({$title}) mà đồng chí đã học tập vừa được sửa đổi. Xin đồng chí xem lại bản đã sửa trong nhóm hoặc tin nhắn trước.
press-recalled-received = Văn bản {$number} đã thu hồi, không nhận xác nhận nữa.
press-recalled-studied = Văn bản {$number} đã thu hồi, không nhận xác nhận nữa.
press-superseded-received = Văn bản này đã được thay thế bởi văn bản số {$number}; xin xác nhận trên văn bản mới.
press-superseded-studied = Văn bản này đã được thay thế bởi văn bản số {$number}; xin xác nhận trên văn bản mới.
# Hội thoại /amend
amend-usage = Cách sửa đổi: <code>/amend số-văn-bản</code>, ví dụ <code>/amend 45-CV/HU</code>.
recall-usage = Cách thu hồi: <code>/recall số-văn-bản</code>, ví dụ <code>/recall 45-CV/HU</code>.
lifecycle-private-only = Xin đồng chí nhắn lệnh này trong cuộc trò chuyện riêng với Chithi.
amend-menu =
    ✏️ <b>Sửa đổi văn bản số {$number}</b>
    Chọn phần cần sửa; khi xong, bấm «Lưu sửa đổi». Các xác nhận đã có được giữ nguyên.
    {$changes}
amend-changes-none = <i>Chưa sửa gì.</i>
amend-change-body = • Nội dung mới ({$length} ký tự)
amend-change-links = • Đường liên kết mới: {$count}
amend-change-deadline = • Hạn {$label}: {$when}
amend-button-body = Nội dung
amend-button-links = Đường liên kết
amend-button-receive_by = Hạn nhận
amend-button-study_by = Hạn học tập
amend-button-report_by = Hạn báo cáo
amend-button-save = ✅ Lưu sửa đổi
amend-button-cancel = Huỷ
amend-ask-body = Xin gửi toàn bộ nội dung đã sửa của văn bản.
amend-ask-links = Xin gửi các đường liên kết, mỗi dòng một đường liên kết dạng <code>tên | https://...</code>; gửi «bỏ qua» để bỏ hết đường liên kết.
amend-ask-deadline = Xin gửi hạn {$label} mới theo dạng <code>{$example}</code>; gửi «bỏ qua» để bỏ hạn này.
amend-done = ✅ Đã sửa đổi văn bản {$number}: {$edits} tin nhắn sẽ được sửa, {$notes} đồng chí đã học tập được báo tin.
amend-cancelled = Đã huỷ việc sửa đổi, văn bản giữ nguyên.
amend-stale = Nút này đã cũ, xin gõ lại /amend.
amend-not-saved = Chưa lưu được sửa đổi: {$reason}
# /recall
recall-confirm = ⛔ Thu hồi văn bản số {$number} ({$title})? Các bài đăng sẽ ghi «đã thu hồi» và mất nút xác nhận, việc nhắc hạn dừng lại; số liệu xác nhận được giữ nguyên.
recall-button-go = ⛔ Thu hồi
recall-button-cancel = Không thu hồi
recall-done = ⛔ Đã thu hồi văn bản {$number}: {$edits} tin nhắn sẽ được sửa.
recall-kept = Văn bản {$number} giữ nguyên, không thu hồi.
recall-stale = Nút này đã cũ, xin gõ lại /recall.
lifecycle-report-recalled = ⛔ <b>Văn bản đã thu hồi</b>: số liệu dừng ở thời điểm thu hồi.
lifecycle-report-superseded = 🔁 <b>Văn bản đã được thay thế</b>: số liệu dừng ở thời điểm thay thế.
amend-qr-outdated = ⚠️ Mã QR cũ ({$label}): liên kết đã sửa đổi ngày {$date}, xin đừng dùng mã này.
lifecycle-carried-amended-mark = ✏️ <i>Văn bản gửi kèm số {$number} đã sửa đổi ngày {$date}</i>
