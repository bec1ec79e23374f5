# Guards shared by every handler: names kept out of groups, one refusal for "no such" and "not yours".
names-sent-private = 📬 Đã trả lời đồng chí trong cuộc trò chuyện riêng với Chithi: danh sách có tên từng người không đăng trong nhóm.
names-open-private = Danh sách có tên từng người chỉ được gửi trong tin nhắn riêng. Hãy mở {$link}, bấm Bắt đầu rồi gõ lại lệnh ở đó.
directive-not-found = Không tìm thấy văn bản số {$number}. Đồng chí chỉ xem được văn bản gửi đến đơn vị mình phụ trách; xin kiểm tra lại số hiệu.
link-no-unit = Không có đơn vị mã "{$code}" mà đồng chí được gắn nhóm, kênh. Chỉ bí thư của đơn vị (hoặc của đơn vị cấp trên) và quản trị viên mới gắn được; xin kiểm tra lại mã hoặc nhờ bí thư của mình.
unit-not-yours = Không có đơn vị mã "{$code}" trong các đơn vị đồng chí phụ trách. Xin kiểm tra lại mã đơn vị.
