"""Fixed texts the assistant says, in Vietnamese and English."""

NO_ANSWER = {
    "vi": (
        "Xin lỗi, tôi chưa có thông tin về câu hỏi này nên không thể trả lời chính xác. "
        "Bạn có thể hỏi: Tổ công nghệ số cộng đồng ở xã, phường nơi bạn sống; "
        "bộ phận một cửa của xã, phường; hoặc mục hỗ trợ trên Cổng Dịch vụ công quốc gia "
        "(dichvucong.gov.vn). Với tài khoản định danh điện tử (VNeID), bạn có thể hỏi công an xã, phường."
    ),
    "en": (
        "Sorry, I don't have information on this question, so I can't answer it reliably. "
        "You can ask the community digital technology team of your commune or ward, the one-stop desk "
        "of your commune or ward, or the support section of the National Public Service Portal "
        "(dichvucong.gov.vn). For the e-ID account (VNeID), ask the commune or ward police."
    ),
}

EXTRACTIVE_INTRO = {
    "vi": "Theo các tài liệu tôi có:",
    "en": "The sources I have say (in Vietnamese):",
}

STARTER_QUESTIONS = {
    "vi": [
        "Cổng Dịch vụ công quốc gia là gì?",
        "Đăng ký tài khoản định danh điện tử mức 2 ở đâu?",
        "Đề án 06 là gì?",
    ],
    "en": [
        "What is the National Public Service Portal?",
        "Where do I register a level 2 e-ID account?",
        "What is Project 06?",
    ],
}
