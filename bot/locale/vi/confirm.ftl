# Bấm nút xác nhận (thông báo ngắn)
press-recorded-received = ✅ Đã ghi nhận: bạn đã nhận văn bản {$number}. Cảm ơn!
press-recorded-studied = 📖 Đã ghi nhận: bạn đã học tập văn bản {$number}. Cảm ơn!
press-already-received = Bạn đã xác nhận nhận văn bản {$number} rồi.
press-already-studied = Bạn đã xác nhận học tập văn bản {$number} rồi.
press-invalid = Nút này không còn hợp lệ.
press-not-sent-here-received = Văn bản {$number} không được gửi vào cuộc trò chuyện này.
press-not-sent-here-studied = Văn bản {$number} không được gửi vào cuộc trò chuyện này.
press-closed-received = Văn bản {$number} đã đóng, không nhận xác nhận nữa.
press-closed-studied = Văn bản {$number} đã đóng, không nhận xác nhận nữa.
