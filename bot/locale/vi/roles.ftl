# Roles in chat (/grant, /revoke), the per-role command menus, and privacy (/mydata, /leave,
# /forget).

cmd-mydata = Dữ liệu của tôi
cmd-leave = Rời đơn vị
cmd-grant = Giao vai trò
cmd-revoke = Thu hồi vai trò
cmd-forget = Xoá dữ liệu một người
role-member = đảng viên
role-deputy = phó bí thư

roles-usage-grant =
    Cách dùng: <code>/grant vai-trò mã-đơn-vị người</code>
    Vai trò: <code>bithu</code> (bí thư), <code>pho</code> (phó bí thư), <code>quantri</code> (quản trị).
    Người: họ tên như trong danh sách (có dấu hoặc không), số điện thoại, hoặc @tên Telegram.
    Ví dụ: <code>/grant pho BP-DX-01 Nguyễn Thị Lan</code>
roles-usage-revoke =
    Cách dùng: <code>/revoke vai-trò mã-đơn-vị người</code>
    Ví dụ: <code>/revoke pho BP-DX-01 0912345678</code>
roles-bad-role = Không có vai trò «{$role}». Xin dùng <code>bithu</code>, <code>pho</code> hoặc <code>quantri</code>.
roles-refused = Đồng chí không có quyền giao hay thu hồi vai trò {$role} ở {$unit}. Bí thư chỉ cử được phó bí thư của chính chi bộ mình; vai trò bí thư và quản trị do quản trị viên giao.
roles-no-person = Không tìm thấy người này trong danh sách của {$unit}. Xin gõ họ tên như trong danh sách, số điện thoại hoặc @tên Telegram.
roles-choose = Có {$count} người khớp với tên đã gõ. Xin chọn đúng người:
roles-grant-done = Đã giao vai trò {$role} ở {$unit} cho đồng chí {$name}.
roles-grant-unchanged = Đồng chí {$name} đã là {$role} ở {$unit}, không có gì thay đổi.
roles-revoke-done = Đã thu hồi vai trò {$role} ở {$unit} của đồng chí {$name}.
roles-revoke-unchanged = Đồng chí {$name} không giữ vai trò {$role} ở {$unit}, không có gì thay đổi.

privacy-none = (chưa có)
privacy-mydata-title = <b>Dữ liệu Chithi đang lưu về đồng chí</b>
privacy-field-name = Họ tên: {$value}
privacy-field-username = Tên Telegram: {$value}
privacy-field-telegram = Mã Telegram: {$value}
privacy-field-phone = Số điện thoại: {$value}
privacy-field-card = Số thẻ đảng viên: {$value}
privacy-field-birth = Ngày sinh: {$value}
privacy-units-title = <b>Đơn vị ({$count})</b>
privacy-units-none = Đồng chí chưa có tên trong danh sách đơn vị nào.
privacy-unit-line = • {$unit} ({$code}) — {$role}
privacy-confirmations-title = <b>Xác nhận văn bản ({$count})</b>
privacy-confirmation-line = • {$number} {$title}: {$kind} ngày {$date}, {$how}
privacy-confirmations-more = … và {$count} xác nhận cũ hơn.
privacy-kind-received = đã nhận
privacy-kind-studied = đã học tập
privacy-how-press = tự xác nhận
privacy-how-meeting = tại buổi sinh hoạt
privacy-how-behalf = do bí thư ghi nhận
privacy-mydata-footer = Rời một đơn vị: /leave. Muốn xoá hẳn dữ liệu, xin đề nghị quản trị viên.
privacy-mydata-nothing = Chithi chưa lưu dữ liệu nào về đồng chí.
privacy-private-only = Dữ liệu cá nhân chỉ xem và sửa trong trò chuyện riêng với Chithi: {$link}

privacy-button-yes = Đồng ý
privacy-button-no = Không
privacy-cancelled = Đã huỷ, không có gì thay đổi.
privacy-leave-none = Đồng chí chưa có tên trong danh sách đơn vị nào.
privacy-leave-pick = Đồng chí muốn rời đơn vị nào?
privacy-leave-not-on = Đồng chí không có tên trong danh sách của đơn vị «{$code}». Gõ /leave để chọn trong các đơn vị của mình.
privacy-leave-confirm = Rời <b>{$unit}</b>? Tên đồng chí sẽ được đưa ra khỏi danh sách của đơn vị (vai trò ở đó cũng thôi); các xác nhận đã có vẫn được giữ.
privacy-leave-done = Đồng chí đã rời <b>{$unit}</b>.
privacy-leave-gone = Đồng chí không còn trong danh sách của đơn vị này.

privacy-forget-usage =
    Cách dùng: <code>/forget người</code> — họ tên như trong danh sách, số điện thoại hoặc @tên Telegram.
    Dữ liệu cá nhân của người đó bị xoá; các xác nhận vẫn được tính, không kèm tên.
privacy-forget-refused = Chỉ quản trị viên phụ trách mọi đơn vị của người này mới xoá được dữ liệu của họ.
privacy-forget-no-person = Không tìm thấy người này trong các đơn vị đồng chí phụ trách.
privacy-forget-choose = Có {$count} người khớp với tên đã gõ. Xin chọn đúng người:
privacy-forget-confirm = Xoá dữ liệu cá nhân của <b>{$name}</b> ({$units})? Họ tên, số điện thoại, số thẻ, ngày sinh và tài khoản Telegram bị xoá hẳn; các xác nhận vẫn được tính, không kèm tên. Không thể hoàn tác.
privacy-forget-done = Đã xoá dữ liệu cá nhân. Các xác nhận vẫn được tính ở {$count} đơn vị, không kèm tên.

roles-cli-bad-role = Không có vai trò «{$role}»: dùng deputy (pho), secretary (bithu) hoặc admin (quantri).
roles-cli-no-unit = Không có đơn vị mã «{$code}».
roles-cli-no-person = Không tìm thấy người này trong danh sách của đơn vị «{$code}» và các đơn vị trực thuộc.
roles-cli-choose = Có nhiều người khớp; gõ lại với mã mục (#số) của đúng người:
roles-cli-grant-done = Đã giao vai trò {$role} ở {$code} cho {$name}.
roles-cli-grant-unchanged = {$name} đã là {$role} ở {$code}, không có gì thay đổi.
roles-cli-revoke-done = Đã thu hồi vai trò {$role} ở {$code} của {$name}.
roles-cli-revoke-unchanged = {$name} không giữ vai trò {$role} ở {$code}, không có gì thay đổi.
roles-cli-count = {$count} người giữ vai trò.
roles-cli-no-token = Cần mã truy cập của Chithi ([bot] token) trong tệp cấu hình để đặt trình đơn lệnh.
roles-cli-menus = Đã đặt trình đơn lệnh cho {$done}/{$count} người.
