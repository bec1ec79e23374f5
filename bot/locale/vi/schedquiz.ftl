## Scheduled publishing (publish_at, "Hẹn giờ", /scheduled) and proof of study (questions)

rule-field-publish_at = Thời điểm ban hành hẹn giờ (publish_at)
rule-field-quiz = Câu hỏi kiểm tra (quiz)
rule-field-pass_mark = Số câu đúng cần đạt (pass_mark)
rule-publish-at-past = {$field} ({$when}) đã qua. Hãy nhập một thời điểm trong tương lai, dạng ngày/tháng/năm giờ:phút.
rule-publish-at-after-deadline = {$field} ({$when}) phải trước { $deadline ->
    [receive_by] hạn xác nhận đã nhận
    [study_by] hạn học tập
   *[report_by] hạn báo cáo
} của văn bản. Hãy chọn thời điểm sớm hơn hoặc lùi hạn lại.
rule-pass-mark-without-quiz = {$field}: văn bản không có câu hỏi kiểm tra nên không cần số câu đúng.
rule-quiz-without-study = {$field}: chỉ văn bản yêu cầu học tập mới có câu hỏi kiểm tra.
rule-quiz-options = {$field}: câu {$n} cần từ {$min} đến {$max} phương án trả lời.
rule-quiz-answer = {$field}: đáp án của câu {$n} phải là số thứ tự của một phương án (từ 1 đến {$max}).
rule-pass-mark = {$field} là {$value}; hãy chọn từ 1 đến {$max} (số câu hỏi).

# /publish: "Hẹn giờ" after the preview
sq-button-schedule = ⏰ Hẹn giờ
sq-ask-time = Đồng chí muốn ban hành lúc nào? Nhập giờ địa phương dạng ngày/tháng/năm giờ:phút, ví dụ <code>{$example}</code>.
sq-scheduled = ⏰ Đã hẹn giờ ban hành văn bản <b>{$number}</b> lúc {$at}. Xem hoặc huỷ bằng lệnh /scheduled.
sq-cli-scheduled = Đã hẹn giờ ban hành {$number} lúc {$at} (giờ địa phương).

# /scheduled
sq-none = Không có văn bản nào đang chờ ban hành theo giờ hẹn.
sq-list-head = ⏰ Văn bản chờ ban hành theo giờ hẹn ({$count}):
sq-list-line = • <b>{$number}</b> — {$title} — lúc {$at}
sq-button-cancel = Huỷ {$number}
sq-cancelled = Đã huỷ hẹn giờ văn bản {$number}.
sq-stale = Nút này không còn dùng được. Gõ /scheduled để xem danh sách mới.
sq-not-scheduled = Văn bản này không còn chờ ban hành (đã ban hành hoặc đã huỷ).
sq-cancel-not-allowed = Đồng chí không có quyền huỷ hẹn giờ văn bản {$number}.

# Proof of study: the questions in private
press-quiz-studied = 📝 Văn bản {$number} có câu hỏi kiểm tra. Câu hỏi đã được gửi tới đồng chí trong tin nhắn riêng với @{$bot}.
press-quiz-private-studied = 📝 Văn bản {$number} có câu hỏi kiểm tra. Xin mở @{$bot}, bấm Bắt đầu, rồi bấm lại “Đã học tập”.
qz-question = 📝 <b>{$number}</b> — câu {$n}/{$total}

{$question}
qz-passed = ✅ Đồng chí trả lời đúng {$score}/{$total} câu (cần {$mark}). Đã ghi nhận: đồng chí đã học tập văn bản <b>{$number}</b>. Cảm ơn!
qz-failed = Đồng chí trả lời đúng {$score}/{$total} câu, chưa đạt (cần {$mark}). Xin đọc lại văn bản <b>{$number}</b> rồi làm lại.
qz-button-retry = 🔁 Làm lại
qz-passed-toast = Đã ghi nhận: đồng chí đã học tập.
qz-stale = Nút này không còn dùng được.
qz-invalid = Câu trả lời này không hợp lệ hoặc đã được ghi rồi.
qz-closed = Văn bản {$number} đã đóng, không nhận xác nhận nữa.
qz-done = Đồng chí đã học tập văn bản {$number} rồi.
cmd-scheduled = Các văn bản hẹn giờ ban hành
