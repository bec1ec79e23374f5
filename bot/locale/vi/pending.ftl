# /pending: ai chưa xác nhận
pending-not-secretary = Lệnh /pending dành cho bí thư và quản trị viên. Nếu đồng chí là bí thư, hãy nhờ quản trị viên cập nhật vai trò cho đồng chí.
pending-unknown-number = Không tìm thấy văn bản số {$number}. Kiểm tra lại số hiệu, hoặc gõ /pending để chọn trong danh sách.
pending-not-yours = Văn bản {$number} không gửi đến đơn vị đồng chí phụ trách.
pending-none = Chưa có văn bản nào đang mở gửi đến đơn vị đồng chí phụ trách.
pending-choose = Chọn văn bản cần xem:
pending-title = 📋 <b>Tình hình xác nhận — {$number}</b>
pending-overall-both = Toàn bộ: đã nhận {$received}/{$total} ({$received_pct}%) · đã học {$studied}/{$total} ({$studied_pct}%)
pending-overall = Toàn bộ: đã nhận {$received}/{$total} ({$received_pct}%)
pending-unit-counts-both = nhận {$received}/{$total} · học {$studied}/{$total}
pending-unit-counts = nhận {$received}/{$total}
pending-missing-received = Chưa nhận ({$count})
pending-missing-studied = Đã nhận, chưa học tập ({$count})
pending-no-members = Các đơn vị này chưa có đảng viên nào.
pending-page = Trang {$page}/{$pages}
page-prev = ‹ Trang trước
page-next = Trang sau ›
