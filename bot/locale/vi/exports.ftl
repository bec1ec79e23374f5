# /export, chithi export: bảng tính kết quả
export-sheet-summary = Tổng hợp
export-sheet-members = Đảng viên
export-sheet-reports = Chưa báo cáo
export-col-directive = Văn bản
export-col-level = Cấp
export-col-code = Mã đơn vị
export-col-unit = Đơn vị
export-col-members = Số đảng viên
export-col-received = Đã nhận
export-col-received-pct = Tỷ lệ đã nhận (%)
export-col-studied = Đã học tập
export-col-studied-pct = Tỷ lệ đã học tập (%)
export-col-press = Tự xác nhận
export-col-meeting = Tại buổi sinh hoạt
export-col-behalf = Do bí thư ghi nhận
export-col-reports-owed = Đơn vị phải báo cáo
export-col-reports-done = Đơn vị đã báo cáo
export-col-forwarded = Văn bản triển khai
export-col-name = Họ và tên
export-col-received-at = Nhận lúc
export-col-studied-at = Học tập lúc
export-col-how = Hình thức
export-col-cycle = Kỳ
export-col-due = Hạn
export-col-state = Tình trạng
export-col-submitted-at = Nộp lúc
export-col-content = Nội dung báo cáo
export-col-quiz-score = Điểm kiểm tra
export-col-quiz-attempts = Số lần làm bài
export-col-quiz-answers = Câu trả lời lần cuối
export-quiz-answer = Câu {$n}: {$option} ({$verdict})
export-quiz-right = đúng
export-quiz-wrong = sai
export-how-press = tự xác nhận
export-how-meeting = tại buổi sinh hoạt
export-how-behalf = do bí thư ghi nhận
export-report-missing = chưa nộp
export-report-done = đã nộp
export-report-late = nộp muộn
export-report-file = Tệp: {$name}
export-not-allowed = Lệnh /export dành cho bí thư và quản trị viên.
export-usage = Gõ /export kèm số hiệu văn bản (ví dụ /export 1208-CV/BTGTU) hoặc tháng ban hành (ví dụ /export 11/2026).
export-none = Không có văn bản nào ban hành trong tháng {$period} gửi đến đơn vị đồng chí phụ trách.
export-caption-xlsx = 📊 Kết quả {$label}: {$members} lượt đảng viên, {$directives} văn bản.
export-caption-csv = Danh sách đảng viên (CSV, mở được bằng Excel).
export-written = Đã ghi {$file}

# /report_draft, chithi report-draft: dự thảo báo cáo
draft-party = ĐẢNG BỘ …
draft-number = Số  …-BC/…
draft-place-date = …, ngày {$day} tháng {$month} năm {$year}
draft-country = ĐẢNG CỘNG SẢN VIỆT NAM
draft-title = BÁO CÁO
draft-subtitle = Kết quả học tập, quán triệt và triển khai thực hiện {$kind} số {$number}
draft-section-1 = I. Tình hình triển khai
draft-deployment = Ngày {$date}, {$issuer} ban hành {$kind} số {$number} về {$title}. Văn bản được gửi đến {$units} đơn vị với tổng số {$members} đảng viên.
draft-section-2 = II. Kết quả cụ thể
draft-overall = 1. Tổng số đảng viên phải học tập: {$members}; đã nhận văn bản: {$received} ({$received_pct}%); đã học tập, quán triệt: {$studied} ({$studied_pct}%).
draft-how = Trong đó: tự xác nhận {$press} đồng chí; học tập tại buổi sinh hoạt {$meeting} đồng chí; do bí thư ghi nhận {$behalf} đồng chí.
draft-levels-head = 2. Kết quả theo từng cấp:
draft-level = - Cấp {$level}: {$units} đơn vị, {$members} đảng viên, đã học tập {$studied} ({$pct}%); {$done} đơn vị đạt 100%.
draft-table-head = 3. Kết quả theo đơn vị:
draft-col-unit = Đơn vị
draft-col-members = Số đảng viên
draft-col-received = Đã nhận
draft-col-studied = Đã học tập
draft-col-pct = Tỷ lệ %
draft-issued-head = 4. Văn bản các cấp ban hành để triển khai thực hiện:
draft-issued-none = Chưa có văn bản triển khai nào được ghi nhận.
draft-issued-level = Cấp {$level}:
draft-issued-item = - {$unit}: {$kind} số {$number} ngày {$date} về {$title}.
draft-section-3 = III. Đánh giá chung
draft-assessment = ……………………………………………………………………………………………
draft-recipients =
    Nơi nhận:
    - …,
    - Lưu Văn phòng.
draft-sign-for = T/M BAN THƯỜNG VỤ
draft-sign-title = …
draft-sign-name = (ký, ghi rõ họ tên)
draft-not-admin = Lệnh /report_draft dành cho quản trị viên.
draft-usage = Gõ /report_draft kèm số hiệu văn bản, ví dụ /report_draft 1208-CV/BTGTU.
draft-caption = 📝 Dự thảo báo cáo về văn bản {$number}: đồng chí hoàn thiện phần đánh giá rồi trình ký.

# /reports: báo cáo các đơn vị đã nộp
reports-not-allowed = Lệnh /reports dành cho bí thư và quản trị viên.
reports-usage = Gõ /reports kèm số hiệu văn bản, ví dụ /reports 12-KH/TU.
reports-title = 📝 <b>Báo cáo của các đơn vị — {$number}</b>
reports-none-owed = Văn bản này không yêu cầu các đơn vị đồng chí phụ trách nộp báo cáo.
reports-summary = Kỳ {$cycle} (hạn {$due}): {$done}/{$total} đơn vị đã nộp.
reports-unit-done = ✅ <b>{$unit}</b> ({$code}) — nộp lúc {$when}
reports-unit-file = 📎 Tệp {$n}: {$name}
reports-missing-head = ⏳ <b>Chưa nộp ({$count}):</b>
reports-file-button = 📎 Tệp {$n}
reports-file-gone = Không còn tệp này.

# /audit, chithi audit: nhật ký thao tác
audit-not-admin = Lệnh /audit dành cho quản trị viên.
audit-title = 🗂 <b>Nhật ký thao tác</b>{$filters}
audit-empty = Không có thao tác nào khớp điều kiện.
audit-page = Trang {$page}
audit-bad-date = Không đọc được ngày "{$value}". Dùng dạng dd/mm/yyyy, ví dụ 01/11/2026.
audit-bad-action = Tên thao tác "{$value}" quá dài.

cmd-export = Xuất bảng tính kết quả
cmd-reports = Báo cáo các đơn vị đã nộp
cmd-report_draft = Dự thảo báo cáo kết quả (tệp Word)
cmd-audit = Xem nhật ký thao tác
