package consent

// defaultNotice is version 1 of a purpose's notice, published at the first
// start; the business edits it in the console (a new version each time).
func defaultNotice(purpose string) Draft {
	d := defaults[purpose]
	return Draft{Purpose: purpose, Title: copyMap(d.title), Body: copyMap(d.body)}
}

var defaults = map[string]struct{ title, body map[string]string }{
	PrivacyPolicy: {
		title: map[string]string{"en": "Privacy notice", "vi": "Thông báo về quyền riêng tư", "zh": "隐私声明"},
		body: map[string]string{
			"en": "We keep your account details, your sign-in history and your conversations with our support team to run your account and keep it safe.\n\nYour personal details are encrypted with a key of your own. You can download a copy of your data or close your account at any time from the Privacy page of your account.",
			"vi": "Chúng tôi lưu thông tin tài khoản, lịch sử đăng nhập và các cuộc trò chuyện của bạn với bộ phận hỗ trợ để vận hành và bảo vệ tài khoản của bạn.\n\nThông tin cá nhân của bạn được mã hóa bằng khóa riêng của bạn. Bạn có thể tải bản sao dữ liệu hoặc đóng tài khoản bất cứ lúc nào tại trang Quyền riêng tư của tài khoản.",
			"zh": "我们保存您的账户信息、登录记录以及您与客服的对话，用于运行并保护您的账户。\n\n您的个人信息使用您专属的密钥加密。您可以随时在账户的隐私页面下载数据副本或注销账户。",
		},
	},
	MarketingEmail: {
		title: map[string]string{"en": "News and offers by e-mail", "vi": "Tin tức và ưu đãi qua e-mail", "zh": "通过电子邮件接收新闻和优惠"},
		body: map[string]string{
			"en": "We may e-mail you news about our services and offers that suit your account. We send them only if you agree, and you can stop them at any time here or with the link in each e-mail.",
			"vi": "Chúng tôi có thể gửi e-mail cho bạn về tin tức dịch vụ và các ưu đãi phù hợp với tài khoản của bạn. Chúng tôi chỉ gửi khi bạn đồng ý, và bạn có thể dừng nhận bất cứ lúc nào tại đây hoặc bằng liên kết trong mỗi e-mail.",
			"zh": "我们可能会通过电子邮件向您发送服务新闻和适合您账户的优惠。只有在您同意后我们才会发送，您可以随时在此处或通过每封邮件中的链接停止接收。",
		},
	},
	Analytics: {
		title: map[string]string{"en": "Help us improve", "vi": "Giúp chúng tôi cải thiện", "zh": "帮助我们改进"},
		body: map[string]string{
			"en": "We may count how you use our help pages, for example searches that found no answer, to see where our answers fall short. We do this only if you agree. If your browser sends the Global Privacy Control signal, we treat it as a no.",
			"vi": "Chúng tôi có thể thống kê cách bạn sử dụng các trang trợ giúp, ví dụ các lượt tìm kiếm không có câu trả lời, để biết chỗ nào cần cải thiện. Chúng tôi chỉ làm vậy khi bạn đồng ý. Nếu trình duyệt của bạn gửi tín hiệu Global Privacy Control, chúng tôi coi đó là không đồng ý.",
			"zh": "我们可能会统计您如何使用帮助页面，例如没有找到答案的搜索，以便了解需要改进之处。只有在您同意后我们才会这样做。如果您的浏览器发送“全球隐私控制”（Global Privacy Control）信号，我们将视为不同意。",
		},
	},
	AssistRecording: {
		title: map[string]string{"en": "Recording of remote assistance", "vi": "Ghi lại phiên hỗ trợ từ xa", "zh": "远程协助录制"},
		body: map[string]string{
			"en": "When one of our agents helps you on screen, the session may be recorded so that we can check the help you received and settle any question about it later. Sensitive fields stay hidden in the recording. Without your agreement, sessions are not recorded.",
			"vi": "Khi nhân viên hỗ trợ bạn trên màn hình, phiên làm việc có thể được ghi lại để chúng tôi kiểm tra chất lượng hỗ trợ và giải đáp thắc mắc sau này. Các trường nhạy cảm vẫn được ẩn trong bản ghi. Nếu bạn không đồng ý, phiên sẽ không được ghi lại.",
			"zh": "当我们的客服在屏幕上为您提供帮助时，会话可能会被录制，以便我们核查所提供的帮助并在日后解答相关问题。敏感字段在录制中保持隐藏。未经您同意，会话不会被录制。",
		},
	},
}
