# /publish: ban hành văn bản trong cuộc trò chuyện riêng
pd-start = 📝 <b>Ban hành văn bản mới</b>
    Tôi sẽ hỏi lần lượt từng mục. Chưa có gì được lưu hay gửi đi cho đến khi đồng chí xem trước và bấm <b>Ban hành</b>. Gõ /cancel hoặc bấm Huỷ bất cứ lúc nào để dừng.
pd-ask-number = <b>Số hiệu</b> của văn bản? Ví dụ: 1208-CV/BTGTU
pd-ask-title = <b>Trích yếu</b> (tiêu đề) của văn bản? Ví dụ: V/v tăng cường tuyên truyền trên mạng xã hội
pd-ask-issuer = <b>Cơ quan ban hành</b>? Bấm nút bên dưới nếu là <b>{$unit}</b>, hoặc gõ tên cơ quan khác.
pd-ask-issuer-free = <b>Cơ quan ban hành</b>? Gõ tên cơ quan, ví dụ: Ban Tuyên giáo Tỉnh ủy
pd-ask-issued_on = <b>Ngày ban hành</b>? Gõ theo dạng ngày/tháng/năm, ví dụ {$example}, hoặc bấm <b>Hôm nay</b>.
pd-ask-body = <b>Nội dung</b> văn bản? Gửi nội dung trong một tin nhắn; văn bản dài thì dán cả vào (Telegram tự chia thành nhiều tin, tôi sẽ ghép lại). Có tệp PDF, DOCX hoặc ảnh thì gửi luôn tệp, rồi gõ vài dòng tóm tắt.
pd-ask-links = <b>Liên kết</b> kèm theo? Mỗi dòng một liên kết, dạng <code>tên | địa chỉ</code>, ví dụ:
    <code>Trang Tự hào Bình Phước | https://www.facebook.com/trangtuhaobinhphuoc/</code>
    Mỗi liên kết sẽ có mã QR gửi kèm. Không có liên kết thì bấm <b>Bỏ qua</b>.
pd-ask-targets = <b>Gửi đến</b> những đơn vị nào? Gõ mã đơn vị, cách nhau bởi dấu cách hoặc dấu phẩy (ví dụ: {$example}); văn bản đến cả các đơn vị cấp dưới. Hoặc bấm một đơn vị đồng chí phụ trách:
pd-ask-requires_study = Văn bản có yêu cầu <b>học tập</b> không? (đảng viên sẽ có thêm nút 📖 Đã học tập)
pd-ask-receive_by = <b>Hạn xác nhận đã nhận</b>? Gõ ngày giờ dạng ngày/tháng/năm giờ:phút (giờ Việt Nam), ví dụ {$example}. Không có hạn thì bấm <b>Bỏ qua</b>.
pd-ask-study_by = <b>Hạn học tập xong</b>? Gõ ngày giờ dạng ngày/tháng/năm giờ:phút (giờ Việt Nam), ví dụ {$example}. Không có hạn thì bấm <b>Bỏ qua</b>.
pd-ask-report_by = <b>Hạn báo cáo</b>? Gõ ngày giờ dạng ngày/tháng/năm giờ:phút (giờ Việt Nam), ví dụ {$example}. Không có hạn thì bấm <b>Bỏ qua</b>.
pd-deadline-receive_by = Hạn xác nhận đã nhận
pd-deadline-study_by = Hạn học tập
pd-deadline-report_by = Hạn báo cáo
pd-empty = Mục này không được để trống.
pd-too-long = Nội dung dài quá ({$length} ký tự); tối đa {$max} ký tự.
pd-bad-number = Số hiệu "{$number}" chưa đúng: chỉ gồm chữ, số và các dấu - / . (không có dấu cách), tối đa 64 ký tự.
pd-bad-date = Chưa hiểu ngày này. Hãy gõ theo dạng ngày/tháng/năm, ví dụ {$example}.
pd-future-date = Ngày ban hành {$date} còn ở tương lai. Hãy gõ ngày đã ký văn bản.
pd-bad-link = Dòng "{$line}" chưa đúng. Mỗi dòng một liên kết, dạng <code>tên | https://địa-chỉ</code>.
pd-no-targets = Hãy gõ ít nhất một mã đơn vị.
pd-bad-yes-no = Hãy bấm <b>Có</b> hoặc <b>Không</b>.
pd-bad-deadline = Chưa hiểu ngày giờ này. Hãy gõ theo dạng ngày/tháng/năm giờ:phút, ví dụ {$example}.
pd-deadline-past = {$which} ({$when}) đã qua rồi. Hãy nhập một thời điểm trong tương lai.
pd-text-only = Ở bước này tôi cần một tin nhắn chữ.
pd-not-allowed = Xin lỗi, chức năng ban hành văn bản chỉ dành cho quản trị viên và bí thư. Nếu cần gửi văn bản đến đơn vị, đồng chí hãy liên hệ bí thư của mình.
pd-private-only = Hãy nhắn /publish cho tôi trong cuộc trò chuyện riêng để ban hành văn bản.
pd-cancelled = Đã huỷ. Không có gì được lưu hay gửi đi.
pd-reminder = ✏️ Đồng chí vẫn đang soạn văn bản để ban hành. Hãy trả lời câu hỏi dưới đây, hoặc gõ /cancel để huỷ.
pd-confirm-wait = Bản xem trước ở trên: bấm <b>Ban hành</b> để gửi đi, hoặc <b>Huỷ</b>.
pd-preview-note = ☝️ Trên đây là bài đăng đúng như các đảng viên sẽ thấy (các nút trong bản xem trước không ghi nhận gì).
    Gửi đến: {$units}
    Sẽ đăng vào {$chats} nhóm và gửi riêng {$private} bản.
    Bấm <b>Ban hành</b> để gửi đi, hoặc <b>Huỷ</b>.
pd-preview-toast = Đây là bản xem trước: bấm nút này không ghi nhận gì.
pd-published = ✅ Đã ban hành {$number}: {$chats} nhóm, {$private} bản gửi riêng. Chithi đang gửi đi; xem ai chưa xác nhận bằng /pending {$number}
pd-published-toast = Đã ban hành.
pd-not-published = Chưa ban hành: {$reason}
pd-stale = Nút này không còn dùng được.
pd-chosen = ➡️ {$value}
pd-button-cancel = ✖️ Huỷ
pd-button-skip = Bỏ qua
pd-button-today = Hôm nay
pd-button-yes = Có
pd-button-no = Không
pd-button-publish = 📤 Ban hành
