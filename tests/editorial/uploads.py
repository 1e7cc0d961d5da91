"""Files an editor uploads in the tests: the test decree as a Word file, a provincial guide as a PDF."""

from __future__ import annotations

from pathlib import Path

from tests.ingest.documents import FONTS, decree_lines

GUIDE_TITLE = "Hướng dẫn nộp hồ sơ cấp phiếu lý lịch tư pháp mẫu trực tuyến"
GUIDE_STEPS = ["Bước 1: Đăng nhập Cổng dịch vụ công tỉnh Mẫu bằng tài khoản định danh điện tử mức 2.",
               "Bước 2: Chọn thủ tục cấp phiếu lý lịch tư pháp mẫu và nơi nhận kết quả.",
               "Bước 3: Điền tờ khai lý lịch tư pháp mẫu và tải ảnh giấy tờ kèm theo.",
               "Bước 4: Nộp lệ phí trực tuyến và theo dõi kết quả trên Cổng dịch vụ công tỉnh Mẫu."]
GUIDE_QUESTION = "các bước nộp hồ sơ cấp phiếu lý lịch tư pháp mẫu trực tuyến"
DECREE_QUESTION = "khoản 2 điều 12 nghị định 69 quy định gì"


def write_decree_docx(path: Path) -> Path:
    """The test decree (Chương, Mục, 14 Điều) as a Word file, one paragraph per printed line."""
    import docx

    document = docx.Document()
    for line in decree_lines():
        document.add_paragraph(line)
    document.save(str(path))
    return path


def write_guide_pdf(path: Path, steps: list[str] = GUIDE_STEPS, dated: bool = True) -> Path:
    """A provincial guide as a PDF with a text layer: the issuer, the date, a lead-in and numbered steps."""
    from fpdf import FPDF

    font = next((f for f in FONTS if f.is_file()), None)
    assert font is not None, f"no font with Vietnamese letters to write the test PDF: install one of {FONTS}"
    pdf = FPDF()
    pdf.set_title(GUIDE_TITLE)
    pdf.add_font("dejavu", fname=str(font))
    pdf.add_page()
    pdf.set_font("dejavu", size=11)
    lines = ["UBND TỈNH MẪU", "SỞ TƯ PHÁP MẪU", *(["Tỉnh Mẫu, ngày 15 tháng 3 năm 2025"] if dated else []),
             "Người dân nộp hồ sơ cấp phiếu lý lịch tư pháp mẫu trên Cổng dịch vụ công tỉnh Mẫu theo các bước sau:",
             *steps, "Lệ phí cấp phiếu lý lịch tư pháp mẫu là 200.000 đồng mỗi phiếu."]
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path
