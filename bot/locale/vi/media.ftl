# Tệp đính kèm và văn bản dài (/publish, bài đăng)
directive-full-text = 📎 <i>Toàn văn ở tệp đính kèm ngay bên dưới.</i>
media-file-kept = 📎 Đã nhận tệp <b>{$file}</b> ({$count} tệp). Tệp sẽ được đăng kèm văn bản.
media-file-as-body = Toàn văn sẽ được gửi kèm bằng tệp này; bây giờ đồng chí gõ vài dòng tóm tắt làm nội dung bài đăng.
media-file-type = Tệp {$file} không phải loại được đăng kèm. Đồng chí hãy gửi tệp PDF, DOCX hoặc ảnh (được nhận: {$allowed}).
media-body-pieces = Đã nhận {$count} phần nội dung ({$length} ký tự). Nếu còn, đồng chí gửi tiếp phần sau; gửi hết rồi thì bấm <b>Xong</b>.
media-button-done = ✔️ Xong
