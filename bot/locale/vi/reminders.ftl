# Nhắc hạn (gửi riêng cho thành viên chưa xác nhận)
reminder-receive_by =
    ⏰ <b>Nhắc việc</b>: đồng chí chưa xác nhận đã nhận {$kind} số {$number}.
    <i>{$title}</i>
    Hạn: {$when} ({$left}). Xin bấm «Đã nhận» bên dưới khi đã nhận được.
reminder-study_by =
    ⏰ <b>Nhắc việc</b>: đồng chí chưa xác nhận đã học tập {$kind} số {$number}.
    <i>{$title}</i>
    Hạn: {$when} ({$left}). Xin bấm «Đã học tập» bên dưới sau khi học xong.
left-days = còn {$count} ngày
left-hours = còn {$count} giờ
left-minutes = còn {$count} phút
left-overdue = đã đến hạn
button-snooze = 🔕 Nhắc lại sau
snooze-until = 🔕 Tạm thời không nhắc văn bản {$number} nữa. Lần nhắc sau: {$when}. Hạn vẫn giữ nguyên.
snooze-last = 🔕 Tạm thời không nhắc văn bản {$number} nữa. Hạn vẫn giữ nguyên: {$deadline}.
snooze-invalid = Nút này không còn hợp lệ.
# Tóm tắt gửi bí thư đơn vị
summary-receive_by = 📋 <b>{$unit}</b>: còn {$pending}/{$total} chưa nhận văn bản {$number}. Hạn: {$when} ({$left}).
summary-study_by = 📋 <b>{$unit}</b>: còn {$pending}/{$total} chưa học tập văn bản {$number}. Hạn: {$when} ({$left}).
summary-names = Chưa xác nhận: {$names}
names-more = … và {$count} người nữa
# Nhắc nộp báo cáo (gửi bí thư)
report-reminder =
    📝 <b>{$unit}</b> chưa nộp báo cáo kỳ {$cycle} về {$kind} số {$number}.
    Hạn: {$when} ({$left}).
    Gõ <code>/report {$number} nội dung báo cáo</code>, hoặc gửi tệp kèm chú thích <code>/report {$number}</code>.
# Quá hạn: báo lên cấp trên và người ban hành
escalation-receive_by = 🚨 <b>Đã quá hạn nhận</b> văn bản {$number} ({$deadline}). Các đơn vị trực thuộc <b>{$unit}</b> chưa đạt {$threshold}% đã nhận:
escalation-study_by = 🚨 <b>Đã quá hạn học tập</b> văn bản {$number} ({$deadline}). Các đơn vị trực thuộc <b>{$unit}</b> chưa đạt {$threshold}% đã học tập:
escalation-report_by = 🚨 <b>Đã quá hạn báo cáo kỳ {$cycle}</b> văn bản {$number} ({$deadline}). Các đơn vị trực thuộc <b>{$unit}</b> chưa nộp đủ báo cáo (số đơn vị đã nộp):
escalation-line = • {$name} ({$code}): {$done}/{$total} ({$percent}%)
escalation-more = … và {$count} đơn vị nữa
overall-receive_by = 📊 <b>Hết hạn nhận</b> văn bản {$number} ({$deadline}): toàn bộ {$done}/{$total} người đã nhận ({$percent}%). Số đơn vị chưa đạt {$threshold}%: {$below}.
overall-study_by = 📊 <b>Hết hạn học tập</b> văn bản {$number} ({$deadline}): toàn bộ {$done}/{$total} người đã học tập ({$percent}%). Số đơn vị chưa đạt {$threshold}%: {$below}.
overall-report_by = 📊 <b>Hết hạn báo cáo kỳ {$cycle}</b> văn bản {$number} ({$deadline}): {$done}/{$total} đơn vị đã nộp báo cáo ({$percent}%).
# /report: bí thư nộp báo cáo của đơn vị
report-usage = Cách nộp báo cáo: gõ <code>/report số-văn-bản nội dung báo cáo</code>, hoặc gửi tệp kèm chú thích <code>/report số-văn-bản</code>.
report-unknown-number = Không tìm thấy văn bản số {$number}. Xin kiểm tra lại số hiệu.
report-not-secretary = Chỉ bí thư (người phụ trách) của đơn vị mới nộp được báo cáo. Nếu đồng chí là bí thư, hãy nhờ quản trị viên cập nhật vai trò cho đồng chí.
report-not-required = Văn bản {$number} không yêu cầu đơn vị đồng chí phụ trách nộp báo cáo.
report-choose-unit = Đồng chí phụ trách nhiều đơn vị ({$codes}). Xin ghi rõ mã đơn vị: <code>/report {$number} MÃ-ĐƠN-VỊ nội dung</code>.
report-empty = Chưa có nội dung báo cáo. Xin gõ nội dung ngay sau số văn bản, hoặc gửi tệp kèm chú thích <code>/report {$number}</code>.
report-submitted = ✅ Đã nhận báo cáo kỳ {$cycle} (hạn {$when}) của <b>{$unit}</b> về văn bản {$number}. Cảm ơn!
report-submitted-late = ✅ Đã nhận báo cáo kỳ {$cycle} của <b>{$unit}</b> về văn bản {$number} (nộp sau hạn {$when}). Cảm ơn!
report-updated = ✅ Đã cập nhật báo cáo kỳ {$cycle} của <b>{$unit}</b> về văn bản {$number}.
# /deadline và chithi deadline: đổi hạn
deadline-usage = Cách đổi hạn: <code>/deadline số-văn-bản nhan|hoc|baocao dd/mm/yyyy hh:mm</code> (giờ địa phương), hoặc ghi <code>bo</code> thay cho thời điểm để bỏ hạn.
deadline-bad-which = Không rõ hạn "{$value}". Dùng nhan (nhận), hoc (học tập) hoặc baocao (báo cáo).
deadline-bad-time = Không đọc được thời điểm "{$value}". Dùng dạng dd/mm/yyyy hh:mm, ví dụ 20/02/2027 17:00.
deadline-past = Thời điểm {$when} đã qua. Hãy nhập một thời điểm trong tương lai.
deadline-no-study = Văn bản {$number} không yêu cầu học tập nên không có hạn học tập.
deadline-report-needed = Văn bản {$number} yêu cầu báo cáo định kỳ nên không bỏ được hạn báo cáo.
deadline-unknown-number = Không tìm thấy văn bản số {$number}.
deadline-changed = ✅ Đã đổi hạn {$label} của văn bản {$number}: {$old} → {$new}. Các lượt nhắc đã được lên lịch lại theo hạn mới.
deadline-label-receive_by = nhận
deadline-label-study_by = học tập
deadline-label-report_by = báo cáo
deadline-not-allowed = Chỉ quản trị viên, người ban hành hoặc bí thư phụ trách mọi đơn vị nhận văn bản {$number} mới đổi được hạn.
deadline-none = không có
