# /publish: thêm sau bản xem trước — thay thế văn bản cũ, câu hỏi kiểm tra
px-button-replace = ♻️ Thay thế văn bản cũ
px-button-quiz = 📝 Câu hỏi kiểm tra
px-button-quiz-again = 📝 Soạn lại câu hỏi
px-button-no-replace = Không thay thế văn bản nào
px-button-done = ✅ Xong
px-button-drop-quiz = Không dùng câu hỏi
px-ask-replace = ♻️ Văn bản này <b>thay thế</b> văn bản nào? Gõ số hiệu văn bản cũ, ví dụ <code>23-CT/TU</code>.
    Khi ban hành, các bài đăng của văn bản cũ được sửa thành «được thay thế bởi …» kèm liên kết tới bài mới, nút xác nhận được gỡ và nhắc nhở của văn bản cũ dừng lại.
px-replace-linked = ♻️ Văn bản này sẽ thay thế văn bản số <b>{$number}</b> ({$title}): khi ban hành, các bài đăng cũ được sửa, gỡ nút xác nhận và dừng nhắc nhở.
px-replace-named = ♻️ Văn bản số <b>{$number}</b> chưa từng ban hành qua Chithi hoặc không còn hiệu lực: bài đăng mới chỉ ghi «Thay thế văn bản số {$number}».
px-replace-dropped = Văn bản này không thay thế văn bản nào.
px-ask-quiz = 📝 <b>Câu hỏi kiểm tra</b> (tối đa {$max} câu). Đảng viên bấm «📖 Đã học tập» sẽ nhận câu hỏi trong tin nhắn riêng, và chỉ được ghi nhận đã học tập khi trả lời đúng đủ số câu yêu cầu (được làm lại).
    Gửi mỗi câu trong một tin nhắn: dòng đầu là câu hỏi, mỗi dòng sau là một phương án (từ {$min} đến {$options} phương án), thêm dấu <code>*</code> trước phương án đúng. Ví dụ:
    <code>Chỉ thị 05 về nội dung gì?
    {"*"} Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh
    Phòng cháy, chữa cháy</code>
px-question-added = ✅ Đã thêm câu {$n}: {$question}
    Phương án đúng: {$answer}
px-ask-more = Gửi câu tiếp theo, hoặc bấm <b>Xong</b>.
px-ask-pass-mark = Cần trả lời đúng bao nhiêu câu (trên {$total} câu) thì được ghi nhận đã học tập? Bấm hoặc gõ một số.
px-quiz-set = 📝 Câu hỏi kiểm tra: {$count} câu, cần trả lời đúng {$mark} câu.
px-quiz-dropped = Văn bản này không có câu hỏi kiểm tra.
pq-shape = Chưa đúng dạng câu hỏi: dòng đầu là câu hỏi, mỗi dòng sau là một phương án, thêm dấu * trước phương án đúng.
pq-one-right = Hãy thêm dấu * trước đúng một phương án: phương án đúng.
pq-none = Chưa có câu hỏi nào. Hãy gửi một câu hỏi, hoặc bấm «Không dùng câu hỏi».
pq-bad-pass-mark = Hãy bấm hoặc gõ một số.
rule-supersedes-self = {$field}: văn bản không thể thay thế chính nó (số {$number}).
