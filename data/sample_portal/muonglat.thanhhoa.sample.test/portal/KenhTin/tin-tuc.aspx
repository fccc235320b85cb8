<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Tin tức</title></head>
<body>
<div class="header"><span class="today">Thứ Bảy, ngày 23 tháng 11 năm 2024</span><a href="/">Trang chủ</a> <a href="/en/">English</a></div>
<div class="list-news"><div class="tandan-p-list"><a href="/portal/pages/tin-tuc-su-kien.aspx?p=1001">Nâng cao năng lực cán bộ làm công tác giảm nghèo</a></div><div class="tandan-p-list"><a href="/portal/pages/tin-tuc-su-kien.aspx?p=1007">Ngày 12/8, tại Hà Nội, Trung ương Đoàn Thanh niên Cộng sản …</a></div><a href="/portal/pages/noi-bo.aspx?p=9999">Bài viết nội bộ</a></div><div class="pager"><a href="/portal/KenhTin/tin-tuc.aspx?PageIndex=2">2</a> <a href="/portal/KenhTin/tin-tuc.aspx?PageIndex=3">3</a> <a href="/portal/KenhTin/tin-tuc.aspx?PageIndex=2">Tiếp</a></div>
<div class="footer">Cơ quan chủ quản: Ủy ban nhân dân. Điện thoại: 0237.3880.123 - Fax: 0237.3880.124. Email: banbientap@sample.test. Ghi rõ nguồn khi phát hành lại thông tin từ website này.</div>
</body></html>
