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

PARTIAL_INTRO = {
    "vi": "Tôi chưa có thông tin về {missing} mà bạn hỏi, nên không trả lời phần đó.",
    "en": "I don't have information on {missing} that you asked about, so I can't answer that part.",
}

PARTIAL_NEAREST = {
    "vi": "Nội dung gần nhất tôi có là: \"{question}\" (bấm vào gợi ý bên dưới để xem).",
    "en": "The closest topic I have is: \"{question}\" (open it from the suggestions below).",
}

PARTIAL_REFERRAL = {
    "vi": "Để hỏi phần còn thiếu, bạn có thể liên hệ Tổ công nghệ số cộng đồng hoặc bộ phận một cửa của xã, "
          "phường nơi bạn sống; với tài khoản định danh điện tử (VNeID), hãy hỏi công an xã, phường.",
    "en": "For the missing part, ask the community digital technology team or the one-stop desk of your commune "
          "or ward; for the e-ID account (VNeID), ask the commune or ward police.",
}

# what a question asked for, named when no single word of it is missing from the nearest entry
ASKED_DETAIL = {
    "vi": {"when": "thời điểm cụ thể", "fee": "lệ phí", "age": "độ tuổi", "duration": "thời gian giải quyết",
           "phone": "số điện thoại hỗ trợ", "count": "con số cụ thể",
           "weekday": "ngày làm việc (thứ Bảy, Chủ nhật, ngày lễ)", "": "chi tiết này"},
    "en": {"when": "the exact date", "fee": "the fee", "age": "the age", "duration": "how long it takes",
           "phone": "the support phone number", "count": "the exact figure",
           "weekday": "the working days (weekends, holidays)", "": "this detail"},
}

# the entry offered when a question is not about anything the assistant covers
CAPABILITIES_ENTRY = "troly-lam-duoc-gi"
