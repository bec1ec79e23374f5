# Chung: chào, trợ giúp, lỗi chung
welcome =
    Xin chào {$name}! Tôi là <b>Chithi</b>, trợ lý chuyển chỉ thị, công văn đến từng đơn vị và ghi nhận ai đã nhận, đã học tập.
    
    Để tham gia đơn vị của mình, hãy mở đường liên kết hoặc quét mã QR do bí thư gửi.
    Gõ /help để xem các lệnh.
help =
    <b>Các lệnh của Chithi</b>
    /start — bắt đầu, tham gia đơn vị qua đường liên kết
    /help — trợ giúp
    /name — sửa họ tên hiển thị
    /pending — (bí thư) ai chưa xác nhận
    /publish — (quản trị, bí thư) ban hành văn bản
    /status — (quản trị, bí thư) tình trạng gửi
    /broadcast — (quản trị) gửi thông báo
    /report — (bí thư) nộp báo cáo của đơn vị
    /deadline — (quản trị, bí thư) đổi hạn của văn bản
    /link — (bí thư) gắn nhóm này với đơn vị
    /member_add — (bí thư) thêm đảng viên vào danh sách đơn vị: <code>/member_add mã-đơn-vị họ tên [số điện thoại]</code>
    /member_rename — (bí thư) sửa họ tên: <code>/member_rename mã-đơn-vị họ tên cũ | họ tên mới</code>
    /member_move — (bí thư) chuyển sang đơn vị khác: <code>/member_move mã-đơn-vị mã-đơn-vị-mới họ tên</code>
    /member_remove — (bí thư) đưa ra khỏi danh sách đơn vị: <code>/member_remove mã-đơn-vị họ tên</code>
    /cancel — huỷ thao tác đang làm
cmd-start = Bắt đầu
cmd-help = Trợ giúp
cmd-name = Sửa họ tên
cmd-pending = Ai chưa xác nhận
cmd-publish = Ban hành văn bản
cmd-status = Tình trạng gửi
cmd-broadcast = Gửi thông báo
cmd-report = Nộp báo cáo
cmd-deadline = Đổi hạn văn bản
cmd-cancel = Huỷ thao tác
error-internal = Đã có lỗi, xin thử lại sau ít phút. Dữ liệu của đồng chí không bị mất.
error-unknown-command = Không có lệnh {$command}. Gõ /help để xem các lệnh.
nothing-to-cancel = Hiện không có thao tác nào đang làm dở để huỷ.
