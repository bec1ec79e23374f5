# Tham gia đơn vị qua đường liên kết, /name, gắn nhóm/kênh (/link), in mã QR
unit-label = <b>{$unit}</b>
unit-label-with-parent = <b>{$unit}</b> (thuộc {$parent})
join-offer =
    Đồng chí được mời tham gia đơn vị {$unit}.
    
    Bấm <b>Tham gia</b> để xác nhận. Sau đó chỉ thị, công văn của đơn vị sẽ được gửi đến đồng chí, và đồng chí có thể bấm xác nhận đã nhận, đã học tập.
join-button-confirm = ✅ Tham gia
join-button-cancel = Huỷ
join-done =
    Đồng chí đã tham gia {$unit}.
    
    Chỉ thị, công văn của đơn vị sẽ được gửi đến đồng chí tại đây. Để sửa họ tên hiển thị, gõ /name.
join-done-toast = Đã tham gia đơn vị!
join-already = Đồng chí đã tham gia {$unit} rồi, không cần làm gì thêm.
join-already-toast = Đồng chí đã tham gia đơn vị này.
join-invalid = Đường liên kết tham gia này không đúng hoặc đã hết hạn. Xin nhờ bí thư đơn vị gửi lại đường liên kết hoặc mã QR mới.
join-invalid-toast = Đường liên kết đã hết hạn. Xin nhờ bí thư gửi đường liên kết mới.
join-cancelled = Đã huỷ, đồng chí chưa tham gia đơn vị. Khi cần, hãy mở lại đường liên kết hoặc quét lại mã QR.
join-cancelled-toast = Đã huỷ.
name-usage =
    Để sửa họ tên hiển thị, gõ /name rồi họ tên đầy đủ, ví dụ:
    /name Nguyễn Văn An
name-too-long = Họ tên dài quá {$max} ký tự. Xin gõ ngắn hơn.
name-done = Đã đổi họ tên hiển thị thành: <b>{$name}</b>
link-usage-group = Gõ /link và mã đơn vị, ví dụ: /link BP-DX-01
link-usage-private =
    Để gắn một <b>nhóm</b> với đơn vị: thêm Chithi vào nhóm, rồi gõ trong nhóm: /link MÃ_ĐƠN_VỊ (ví dụ /link BP-DX-01).
    
    Để gắn một <b>kênh</b>: thêm Chithi làm quản trị viên của kênh, rồi gõ ở đây: /link MÃ_ĐƠN_VỊ @ten_kenh (hoặc mã số của kênh, dạng -100…).
link-from-channel = Để gắn kênh này, hãy mở cuộc trò chuyện riêng với Chithi và gõ: /link MÃ_ĐƠN_VỊ {$chat_id}
link-done = Đã gắn {$chat} với đơn vị {$unit}. Chỉ thị gửi cho đơn vị sẽ được đăng ở đây.
link-unchanged = {$chat} đã được gắn với đơn vị {$unit} từ trước, không có gì thay đổi.
link-moved = Đã chuyển {$chat} từ đơn vị {$previous} sang đơn vị {$unit}.
link-join-hint = Đảng viên tham gia đơn vị qua đường liên kết: {$link}
link-unknown-unit = Không có đơn vị nào mã "{$code}". Xin kiểm tra lại mã (ví dụ BP-DX-01) hoặc hỏi quản trị viên.
link-refused = Đồng chí không có quyền gắn nhóm, kênh với {$unit}. Chỉ bí thư của đơn vị này hoặc của đơn vị cấp trên, hoặc quản trị viên, mới làm được.
link-refused-ask = Xin nhờ: {$names}.
link-manager = {$name} ({$role} {$unit})
role-secretary = bí thư
role-admin = quản trị
link-anonymous = Đồng chí đang gửi tin ẩn danh thay mặt nhóm nên Chithi không biết đồng chí là ai. Hãy tắt chế độ ẩn danh của mình trong nhóm rồi gửi lại lệnh.
link-bad-channel = "{$channel}" không phải tên hay mã số của kênh. Hãy ghi @ten_kenh hoặc mã số dạng -100…
link-channel-not-found = Chithi không thấy kênh {$channel}. Hãy thêm Chithi vào kênh với vai trò quản trị viên rồi gửi lại lệnh.
link-not-a-channel = {$chat} là nhóm, không phải kênh. Để gắn nhóm, hãy gõ /link {$code} ngay trong nhóm đó.
link-user-not-admin = Đồng chí không phải quản trị viên của kênh {$chat}, nên không gắn được kênh này. Xin nhờ người quản trị kênh.
link-bot-not-admin = Chithi chưa là quản trị viên của kênh {$chat}. Hãy thêm Chithi làm quản trị viên (có quyền đăng tin) rồi gửi lại lệnh.
unlink-done = Đã gỡ {$chat} khỏi đơn vị {$unit}. Chỉ thị mới sẽ không được đăng ở đây nữa.
unlink-not-linked = Nhóm này chưa được gắn với đơn vị nào.
unlink-refused = Đồng chí không có quyền gỡ nhóm khỏi {$unit}. Chỉ bí thư của đơn vị này hoặc của đơn vị cấp trên, hoặc quản trị viên, mới làm được.
# Dòng lệnh: chithi units links
links-unit = {$code}  {$name}
links-unit-with-parent = {$code}  {$name} (thuộc {$parent})
links-link = đường liên kết: {$link}
links-file = mã QR: {$file}
links-summary = Đã ghi {$count} mã QR vào {$dir}.
links-sheet = Trang in tất cả mã QR (mở bằng trình duyệt rồi in): {$file}
links-unknown-unit = Không có đơn vị nào mã "{$code}".
links-empty = Chưa có đơn vị nào. Hãy nhập cây đơn vị trước: chithi units import units.csv
links-sheet-title = Mã QR tham gia đơn vị
links-sheet-hint = Quét mã bằng điện thoại (ứng dụng Camera hoặc Telegram) để tham gia đơn vị.
