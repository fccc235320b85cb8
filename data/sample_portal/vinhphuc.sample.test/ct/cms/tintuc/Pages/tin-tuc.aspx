<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Tin tức</title></head>
<body>
<div class="header"><span class="today">Thứ Bảy, ngày 23 tháng 11 năm 2024</span><a href="/">Trang chủ</a> <a href="/en/">English</a></div>
<div class="list-news"><p><a href="/ct/cms/tintuc/Lists/TinTuc/View_Detail.aspx?ItemID=1002&amp;OtItem=date">Nâng cao năng lực thực hiện Chương trình MTQG giảm nghèo bền vững</a></p><p><a href="/ct/cms/tintuc/Lists/TinTuc/View_Detail.aspx?ItemID=1008&amp;OtItem=date">Kinh nghiệm chung trong triển khai các Tổ Công nghệ số cộng đồng trên toàn quốc. (Bài 2)</a></p></div><div class="pager"><a href="/ct/cms/tintuc/Pages/tin-tuc.aspx?page=2">2</a> <a href="/ct/cms/tintuc/Pages/tin-tuc.aspx?page=3">3</a> <a href="/ct/cms/tintuc/Pages/tin-tuc.aspx?page=2">Tiếp</a></div>
<div class="footer">Cơ quan chủ quản: Ủy ban nhân dân. Điện thoại: 0237.3880.123 - Fax: 0237.3880.124. Email: banbientap@sample.test. Ghi rõ nguồn khi phát hành lại thông tin từ website này.</div>
</body></html>
