"""Synthetic Vietnamese test documents, written as real files: a decree-shaped PDF, a DOCX guide, HTML pages.

The legal text is test data only: its articles are made up (the header imitates a decree's layout), and
none of it is added to the knowledge base.
"""

from __future__ import annotations

from pathlib import Path

# a TrueType font with Vietnamese letters, for the PDF's text layer (Debian: fonts-dejavu-core, which
# fontconfig and Chromium pull in; or fonts-liberation)
FONTS = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
         Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")]
RUNNING_HEADER = "VĂN BẢN KIỂM THỬ - KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"
DECREE_NUMBER = "69/2024/NĐ-CP"

# Điều number -> (title, [khoản text, ...]); khoản 2 of Điều 12 has điểm a) and b)
TOPICS = ["tài khoản thử nghiệm", "mã xác nhận", "ứng dụng mẫu", "hồ sơ điện tử mẫu", "chữ ký thử",
          "cổng kết nối mẫu", "dữ liệu thử nghiệm", "thiết bị đọc thẻ mẫu", "trung tâm hỗ trợ mẫu",
          "nhật ký truy cập", "mức bảo đảm", "khóa tài khoản thử nghiệm", "phí dịch vụ mẫu", "điều khoản thi hành"]


def decree_articles() -> dict[int, tuple[str, list[str]]]:
    """Fourteen synthetic Điều, each with two or three khoản."""
    out: dict[int, tuple[str, list[str]]] = {}
    for n, topic in enumerate(TOPICS, start=1):
        clauses = [f"Cơ quan quản lý {topic} thực hiện việc kiểm tra định kỳ theo quy định tại Điều {n} này.",
                   f"Người dùng {topic} có trách nhiệm cung cấp thông tin chính xác khi sử dụng."]
        if n == 12:
            clauses = ["Tài khoản thử nghiệm bị khóa khi người dùng yêu cầu bằng văn bản gửi cơ quan quản lý.",
                       "Tài khoản thử nghiệm bị khóa trong các trường hợp sau đây:\n"
                       "a) Người dùng vi phạm thỏa thuận sử dụng mẫu;\n"
                       "b) Có yêu cầu của cơ quan tiến hành tố tụng mẫu.",
                       "Việc mở khóa thực hiện trong thời hạn 03 ngày làm việc kể từ ngày nhận đề nghị."]
        out[n] = (topic.capitalize(), clauses)
    return out


def decree_lines() -> list[str]:
    """The decree as lines, header first, the way it is printed."""
    lines = ["CHÍNH PHỦ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "---------------",
             f"Số: {DECREE_NUMBER}", "Hà Nội, ngày 01 tháng 7 năm 2024", "NGHỊ ĐỊNH",
             "Quy định mẫu về tài khoản thử nghiệm", "Căn cứ Luật Tổ chức Chính phủ mẫu;",
             "Chính phủ ban hành Nghị định mẫu dùng để kiểm thử."]
    for n, (title, clauses) in decree_articles().items():
        if n == 1:
            lines += ["Chương I", "QUY ĐỊNH CHUNG"]
        if n == 8:
            lines += ["Chương II", "TÀI KHOẢN THỬ NGHIỆM", "Mục 1. KHÓA VÀ MỞ KHÓA"]
        lines.append(f"Điều {n}. {title}")
        for k, clause in enumerate(clauses, start=1):
            lines += f"{k}. {clause}".split("\n")
    lines += ["Nơi nhận:", "- Các bộ, ngành mẫu;", "TM. CHÍNH PHỦ", "THỦ TƯỚNG MẪU"]
    return lines


def write_decree_pdf(path: Path, lines: list[str] | None = None) -> Path:
    """A PDF with a text layer (fpdf2, DejaVu Sans for Vietnamese), a running header and page numbers."""
    from fpdf import FPDF

    class Decree(FPDF):
        def header(self) -> None:
            self.set_font("dejavu", size=8)
            self.cell(0, 6, RUNNING_HEADER, new_x="LMARGIN", new_y="NEXT", align="C")

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("dejavu", size=8)
            self.cell(0, 10, f"Trang {self.page_no()}", align="C")

    font = next((f for f in FONTS if f.is_file()), None)
    assert font is not None, f"no font with Vietnamese letters to write the test PDF: install one of {FONTS}"
    pdf = Decree()
    pdf.add_font("dejavu", fname=str(font))
    pdf.add_page()
    pdf.set_font("dejavu", size=11)
    for line in lines if lines is not None else decree_lines():
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def write_scanned_pdf(path: Path, tmp: Path) -> Path:
    """A PDF whose pages are only an image, as a scanner makes it."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).rectangle((50, 50, 550, 120), outline="black")
    image.save(tmp / "scan.png")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(tmp / "scan.png"), x=10, y=10, w=180)
    pdf.output(str(path))
    return path


GUIDE_STEPS = ["Tải ứng dụng mẫu từ kho ứng dụng chính thức.", "Nhập số định danh cá nhân và số điện thoại.",
               "Chụp ảnh khuôn mặt theo hướng dẫn trên màn hình.", "Chờ cơ quan quản lý phê duyệt tài khoản."]


def write_guide_docx(path: Path) -> Path:
    """A DOCX guide: title, headings, a numbered procedure, a table, and a page header and footer."""
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Sở Thử Nghiệm - Tài liệu nội bộ"
    document.sections[0].footer.paragraphs[0].text = "Trang 1"
    document.add_heading("Hướng dẫn đăng ký tài khoản mẫu", level=0)
    document.add_paragraph("Hà Nội, ngày 15 tháng 3 năm 2025")
    document.add_heading("Chuẩn bị", level=1)
    document.add_paragraph("Người dân chuẩn bị điện thoại thông minh có kết nối Internet và thẻ căn cước mẫu.")
    document.add_heading("Các bước thực hiện", level=1)
    for step in GUIDE_STEPS:
        document.add_paragraph(step, style="List Number")
    document.add_heading("Lệ phí", level=1)
    table = document.add_table(rows=3, cols=2)
    for row, cells in zip(table.rows, [("Mức tài khoản", "Lệ phí"), ("Mức 1", "Miễn phí"),
                                       ("Mức 2", "Miễn phí")], strict=True):
        row.cells[0].text, row.cells[1].text = cells
    document.add_paragraph("Mọi thắc mắc xin liên hệ trung tâm hỗ trợ mẫu trong giờ hành chính.")
    document.save(str(path))
    return path


NEWS_HTML = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Thí điểm cổng mẫu tại xã Thử Nghiệm - Báo Mẫu</title>
{date_meta}
<meta property="og:site_name" content="Báo Mẫu điện tử">
</head><body>
<header><nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/thoi-su">Thời sự</a></li>
<li><a href="/kinh-te">Kinh tế</a></li><li><a href="/lien-he">Liên hệ quảng cáo</a></li></ul></nav></header>
<main><article>
<h1>Thí điểm cổng mẫu tại xã Thử Nghiệm</h1>
<p>Xã Thử Nghiệm vừa đưa vào vận hành cổng dịch vụ mẫu, giúp người dân nộp hồ sơ trực tuyến mà không cần
đến trụ sở ủy ban trong giờ hành chính như trước đây.</p>
<p>Để nộp hồ sơ trên cổng mẫu, người dân làm theo các bước sau:</p>
<ol><li>Đăng nhập cổng mẫu bằng tài khoản định danh.</li><li>Chọn thủ tục cần thực hiện.</li>
<li>Điền tờ khai và đính kèm giấy tờ.</li><li>Nộp hồ sơ và theo dõi kết quả.</li></ol>
<table><tr><th>Thủ tục</th><th>Thời hạn</th></tr><tr><td>Đăng ký khai sinh mẫu</td><td>1 ngày</td></tr>
<tr><td>Xác nhận cư trú mẫu</td><td>2 ngày</td></tr></table>
<p>Theo lãnh đạo xã, trong tháng đầu tiên đã có hơn 300 hồ sơ được nộp qua cổng mẫu, phần lớn là thủ tục
đăng ký khai sinh và xác nhận cư trú của người dân địa phương.</p>
</article>
<section class="related"><h3>Tin liên quan</h3><ul><li><a href="/a">Xã bên cạnh khai trương nhà văn hóa</a></li>
<li><a href="/b">Giá lúa tăng nhẹ trong tuần</a></li><li><a href="/c">Thời tiết cuối tuần nắng ráo</a></li></ul>
</section></main>
<footer><p>Bản quyền thuộc về Báo Mẫu điện tử. Giấy phép số 000/GP-MẪU. Địa chỉ: số 1 phố Mẫu.</p></footer>
</body></html>
"""


def write_news_html(path: Path, date: str | None = "2025-05-20") -> Path:
    """A news page with navigation, a related-news block and a footer around the article."""
    meta = f'<meta property="article:published_time" content="{date}T08:30:00+07:00">' if date else ""
    path.write_text(NEWS_HTML.format(date_meta=meta), encoding="utf-8")
    return path
