# Danh sách đảng viên: nhập từ tệp (CSV, XLSX) và sửa trong trò chuyện
import-not-xlsx = tệp không phải bảng tính XLSX đọc được
import-too-long = dài quá {$max} ký tự
import-bad-phone = số điện thoại "{$value}" không đúng dạng số Việt Nam (ví dụ 0912 345 678 hoặc +84 912 345 678)
import-bad-card = số thẻ đảng viên "{$value}" không được có dấu cách, tối đa {$max} ký tự
import-bad-date = ngày sinh "{$value}" không đúng; cần dạng ngày/tháng/năm, ví dụ 27/08/1952
import-telegram-taken = tài khoản Telegram {$value} đã thuộc về một đảng viên khác trong danh sách
import-card-taken = số thẻ "{$value}" không khớp với đảng viên đã có (số thẻ hoặc tài khoản Telegram đã thuộc về người khác)

## Sửa danh sách trong trò chuyện: /member_add, /member_rename, /member_move, /member_remove
roster-add-usage = Cách thêm đảng viên: <code>/member_add mã-đơn-vị họ và tên [số điện thoại]</code>, ví dụ <code>/member_add BP-DX-01 Nguyễn Văn An 0912 345 678</code>.
roster-rename-usage = Cách sửa họ tên: <code>/member_rename mã-đơn-vị họ tên cũ | họ tên mới</code> (thay họ tên cũ bằng số điện thoại hoặc số thẻ đảng viên cũng được).
roster-move-usage = Cách chuyển đơn vị: <code>/member_move mã-đơn-vị mã-đơn-vị-mới họ và tên</code> (hoặc số điện thoại, số thẻ đảng viên).
roster-remove-usage = Cách đưa ra khỏi danh sách: <code>/member_remove mã-đơn-vị họ và tên</code> (hoặc số điện thoại, số thẻ đảng viên).
roster-not-found = Danh sách <b>{$unit}</b> không có ai tên, số điện thoại hay số thẻ "{$who}". Xin kiểm tra lại.
roster-ambiguous = Danh sách <b>{$unit}</b> có {$count} người ứng với "{$who}". Xin ghi số điện thoại hoặc số thẻ đảng viên thay cho họ tên.
roster-duplicate = Đồng chí <b>{$name}</b> đã có trong danh sách <b>{$unit}</b>; không thêm lần nữa.
roster-bad-phone = Số điện thoại "{$value}" không đúng dạng số Việt Nam. Ví dụ: 0912 345 678 hoặc +84 912 345 678.
roster-name-empty = Chưa có họ và tên. Xin ghi đầy đủ họ và tên.
roster-name-too-long = Họ và tên dài quá {$max} ký tự. Xin viết gọn lại.
roster-has-role = Đồng chí <b>{$name}</b> đang giữ vai trò bí thư hoặc quản trị ở <b>{$unit}</b>: xin thu hồi vai trò trước khi chuyển hoặc đưa ra khỏi danh sách.
roster-already-there = Đồng chí <b>{$name}</b> đã có trong danh sách <b>{$unit}</b>.
roster-added = ✅ Đã thêm đồng chí <b>{$name}</b> vào danh sách <b>{$unit}</b>.
roster-added-phone = ✅ Đã thêm đồng chí <b>{$name}</b> (số điện thoại {$phone}) vào danh sách <b>{$unit}</b>.
roster-renamed = ✅ Đã sửa họ tên trong danh sách <b>{$unit}</b>: {$previous} → <b>{$name}</b>.
roster-moved = ✅ Đã chuyển đồng chí <b>{$name}</b> từ <b>{$unit}</b> sang <b>{$target}</b>.
roster-removed = ✅ Đã đưa đồng chí <b>{$name}</b> ra khỏi danh sách <b>{$unit}</b>. Những xác nhận đồng chí đã có vẫn được giữ lại.
cmd-member_add = Thêm một đồng chí vào danh sách đơn vị
cmd-member_rename = Sửa họ tên một đồng chí trong danh sách
cmd-member_move = Chuyển một đồng chí sang đơn vị khác
cmd-member_remove = Đưa một đồng chí ra khỏi danh sách đơn vị
