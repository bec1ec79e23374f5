# Bấm nút xác nhận (thông báo ngắn)
press-recorded-received = ✅ Đã ghi nhận: đồng chí đã nhận văn bản {$number}. Cảm ơn!
press-recorded-studied = 📖 Đã ghi nhận: đồng chí đã học tập văn bản {$number}. Cảm ơn!
press-already-received = Đồng chí đã xác nhận đã nhận văn bản {$number} rồi.
press-already-studied = Đồng chí đã xác nhận đã học tập văn bản {$number} rồi.
press-invalid = Nút này không còn hợp lệ.
press-not-sent-here-received = Văn bản {$number} không được gửi vào cuộc trò chuyện này.
press-not-sent-here-studied = Văn bản {$number} không được gửi vào cuộc trò chuyện này.
press-closed-received = Văn bản {$number} đã đóng, không nhận xác nhận nữa.
press-closed-studied = Văn bản {$number} đã đóng, không nhận xác nhận nữa.
