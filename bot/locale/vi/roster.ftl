# Danh sách đảng viên: nhập từ tệp (CSV, XLSX) và sửa trong trò chuyện
import-not-xlsx = tệp không phải bảng tính XLSX đọc được
import-too-long = dài quá {$max} ký tự
import-bad-phone = số điện thoại "{$value}" không đúng dạng số Việt Nam (ví dụ 0912 345 678 hoặc +84 912 345 678)
import-bad-card = số thẻ đảng viên "{$value}" không được có dấu cách, tối đa {$max} ký tự
import-bad-date = ngày sinh "{$value}" không đúng; cần dạng ngày/tháng/năm, ví dụ 27/08/1952
import-telegram-taken = tài khoản Telegram {$value} đã thuộc về một đảng viên khác trong danh sách
import-card-taken = số thẻ "{$value}" không khớp với đảng viên đã có (số thẻ hoặc tài khoản Telegram đã thuộc về người khác)
