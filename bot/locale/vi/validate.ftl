# Quy tắc của một văn bản (hội thoại /publish, tệp TOML, mọi cách ban hành khác)
rule-field-number = Số hiệu (number)
rule-field-kind = Loại văn bản (kind)
rule-field-title = Trích yếu (title)
rule-field-issuer = Cơ quan ban hành (issuer)
rule-field-body = Nội dung (body)
rule-field-issued_on = Ngày ban hành (issued_on)
rule-field-links = Liên kết (links)
rule-field-attachments = Tệp đính kèm (attachments)
rule-field-forwards = Số văn bản được chuyển tiếp (forwards)
rule-field-supersedes = Số văn bản được thay thế (supersedes)
rule-field-depth = Cấp phổ biến (depth)
rule-field-receive_by = Hạn xác nhận đã nhận (receive_by)
rule-field-study_by = Hạn học tập (study_by)
rule-field-report_by = Hạn báo cáo (report_by)
rule-empty = {$field} không được để trống.
rule-too-long = {$field} dài quá ({$length} ký tự); tối đa {$max} ký tự. Hãy rút gọn.
rule-too-many = {$field}: có {$count} mục, tối đa {$max}. Hãy bớt đi.
rule-control-character = {$field} chứa ký tự điều khiển không hiển thị được ({$code}). Hãy gõ lại bằng chữ thường.
rule-body-too-long = Nội dung dài quá ({$length} ký tự); tối đa {$max} ký tự (khoảng 6 tin nhắn). Hãy đưa toàn văn vào tệp đính kèm (PDF) và chỉ ghi tóm tắt ở nội dung.
rule-bad-number = {$field} "{$number}" không hợp lệ: chỉ chữ, số và - / . (không có dấu cách), tối đa {$max} ký tự.
rule-link-scheme = Liên kết "{$url}" không được phép: chỉ nhận địa chỉ web bắt đầu bằng http:// hoặc https://.
rule-link-bad = Liên kết "{$url}" không phải một địa chỉ web hợp lệ. Hãy ghi đầy đủ, ví dụ https://www.facebook.com/trangtuhaobinhphuoc/
rule-link-credentials = Liên kết "{$url}" chứa tên đăng nhập hoặc mật khẩu (phần trước dấu @). Hãy ghi địa chỉ trang, không kèm tài khoản.
rule-link-too-long = Liên kết "{$url}" dài quá; tối đa {$max} ký tự (để mã QR còn quét được).
rule-attachment-outside = Tệp đính kèm {$file} nằm ngoài thư mục của tệp TOML ({$folder}). Hãy chép tệp vào thư mục đó rồi ghi tên tệp.
rule-attachment-type = Tệp đính kèm {$file} không phải loại tài liệu được gửi ({$allowed}).
rule-attachment-empty = Tệp đính kèm {$file} rỗng (0 byte).
rule-attachment-too-big = Tệp đính kèm {$file} nặng {$size} MB; Telegram chỉ cho Chithi gửi tệp tối đa {$max} MB. Hãy nén hoặc chia nhỏ tệp.
rule-issued-future = Ngày ban hành {$date} còn ở tương lai. Hãy ghi ngày đã ký văn bản.
rule-issued-too-old = Ngày ban hành {$date} quá xa; văn bản phải ban hành từ {$first} trở đi. Hãy kiểm tra lại năm.
rule-deadline-too-far = {$field} ({$when}) xa quá; muộn nhất là {$latest}. Hãy kiểm tra lại năm.
# Bản gửi riêng không kèm mã QR (liên kết bấm được ngay trong tin nhắn)
directive-links-no-qr = 🔗 Liên kết:
# Dòng lệnh: vị trí lỗi trong tệp
cli-file-line = {$file} (dòng {$line})
