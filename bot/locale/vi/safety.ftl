# Lỗi khi khởi động (chithi ...): mỗi lỗi một dòng, nói rõ sai gì và cần kiểm tra gì
startup-bad-token = Bot API tại {$url} từ chối token (401/404): kiểm tra [bot] token (hoặc CHITHI_BOT__TOKEN) có đúng token @BotFather đã cấp không.
startup-no-bot-api = không kết nối được Bot API tại {$url} ({$detail}): kiểm tra mạng và [bot] base_url.
startup-db-unreachable = không kết nối được cơ sở dữ liệu {$url} ({$detail}): máy chủ cơ sở dữ liệu có đang chạy và nghe ở địa chỉ đó không? Kiểm tra [database] url.
startup-db-missing = cơ sở dữ liệu {$url} không tồn tại: hãy tạo (createdb {$name}) hoặc sửa [database] url.
startup-db-login = cơ sở dữ liệu {$url} từ chối đăng nhập ({$detail}): kiểm tra tên người dùng và mật khẩu trong [database] url.
# Ngày tháng và đơn vị (khoảng hợp lệ, giới hạn lưu trữ)
date-out-of-range = Năm trong "{$value}" phải từ {$first} đến {$last}.
import-too-deep = đơn vị nằm sâu {$depth} cấp dưới gốc cây; nhánh này chỉ chứa được tối đa {$max} cấp (chuỗi cấp trên sâu như vậy có lẽ do nhầm parent_code)
