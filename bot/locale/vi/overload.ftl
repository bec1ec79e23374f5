# Quá tải: quá nhiều người bấm nút cùng lúc (thông báo ngắn)
press-busy = ⏳ Hệ thống đang bận, lần bấm này CHƯA được ghi nhận. Xin bấm lại sau vài giây.
