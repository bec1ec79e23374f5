# Dòng lệnh (chithi ...): nhập dữ liệu
import-summary = {$file}: tạo mới {$created}, cập nhật {$updated}, không đổi {$unchanged}.
import-rejected = {$file}: có {$count} dòng sai — chưa ghi gì vào cơ sở dữ liệu. Sửa các dòng dưới đây rồi chạy lại.
import-row = {$file} dòng {$line}, cột {$column}: {$reason}
import-more = … và {$count} lỗi nữa
import-missing-columns = thiếu cột; cần các cột: {$expected}
import-file-not-found = không tìm thấy tệp
import-not-utf8 = tệp không phải văn bản UTF-8
import-empty = để trống
import-bad-code = mã đơn vị tối đa 64 ký tự, không có dấu cách
import-repeated = "{$value}" đã có ở dòng {$other}
import-unknown-unit = không có đơn vị "{$value}" (hãy nhập đơn vị trước)
import-cycle = đơn vị cấp trên tạo thành vòng lặp trong cây
import-bad-telegram-id = cần một số dương, nhận được "{$value}"
import-bad-role = cần "đảng viên", "phó bí thư", "bí thư" hoặc "quản trị", nhận được "{$value}"
import-bad-language = cần vi hoặc en, nhận được "{$value}"
db-upgraded = Cơ sở dữ liệu đã ở phiên bản mới nhất: {$url}
config-error = lỗi cấu hình: {$detail}
