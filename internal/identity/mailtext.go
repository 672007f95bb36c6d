package identity

import (
	"strconv"
	"strings"
)

// mailArgs fill the placeholders of an account e-mail.
type mailArgs struct {
	Code    string // {code}
	URL     string // the button's link
	Minutes int    // {minutes}: how long the code or link is valid
	Device  string // {device}
	When    string // {when}: time in UTC
	Help    string // {help}: where to get help
	Count   int    // {count}
	org     string // {org}
}

func (a mailArgs) with(org string) mailArgs { a.org = org; return a }

type mailParts struct{ title, body, action string }

// mailText returns the e-mail of kind in locale (English when missing)
// with its placeholders filled. Codes and links appear only here, never
// in a log.
func mailText(locale, kind string, a mailArgs) mailParts {
	t, ok := mailTexts[locale][kind]
	if !ok {
		t = mailTexts["en"][kind]
	}
	if _, ok := mailTexts[locale]; !ok {
		locale = "en"
	}
	r := strings.NewReplacer("{code}", a.Code, "{validity}", validity(locale, a.Minutes), "{minutes}", strconv.Itoa(a.Minutes), "{device}", a.Device,
		"{when}", a.When, "{org}", a.org, "{help}", a.Help, "{count}", strconv.Itoa(a.Count))
	return mailParts{title: r.Replace(t.title), body: r.Replace(t.body), action: r.Replace(t.action)}
}

// validity writes a number of minutes as people say it in locale: "15
// minutes", "24 hours" (not 1440 minutes), "3 days".
func validity(locale string, minutes int) string {
	n, unit := minutes, 0 // 0 minutes, 1 hours, 2 days
	switch {
	case minutes >= 60 && minutes%60 == 0 && minutes <= 48*60:
		n, unit = minutes/60, 1
	case minutes > 48*60 && minutes%(24*60) == 0:
		n, unit = minutes/(24*60), 2
	}
	switch locale {
	case "vi":
		return strconv.Itoa(n) + " " + [...]string{"phút", "giờ", "ngày"}[unit]
	case "zh":
		return strconv.Itoa(n) + " " + [...]string{"分钟", "小时", "天"}[unit]
	}
	word := [...]string{"minute", "hour", "day"}[unit]
	if n != 1 {
		word += "s"
	}
	return strconv.Itoa(n) + " " + word
}

// Body paragraphs are separated by a blank line.
var mailTexts = map[string]map[string]mailParts{
	"en": {
		"new_place": {"New sign-in from {device}",
			"Your {org} account was just signed in to from {device}, on {when}. We have not seen a sign-in from there before.\n\nIf this was you (travelling, a new network), you do not need to do anything. If it was not you, use the button below: it ends that session and every other one, and asks you to choose a new password.",
			"This wasn't me"},
		"risk_stopped": {"We stopped a request on your account",
			"On {when}, someone asked from {device} to reset the password of your {org} account or to confirm it is you. The request looked unsafe, so we stopped it and changed nothing.\n\nIf it was you, try again from the network you usually use, or contact support at {help}: they can help you back in. If it was not you, you do not need to do anything; keep your e-mail account safe, as that is where reset codes are sent.",
			"Contact support"},
		"signin_blocked": {"We stopped a sign-in to your account",
			"On {when}, someone signed in to your {org} account with the right password from {device}. The sign-in looked unsafe, so we stopped it.\n\nIf it was you, choose a new password with the button below and sign in again; if you still cannot get in, contact support at {help}. If it was not you, your password is known to someone else: change it now.",
			"Choose a new password"},
		"verify": {"Confirm your e-mail address",
			"Your verification code for {org} is: {code}\n\nEnter it on the verification page, or use the button below. The code is valid for {validity}.\n\nIf you did not create an account, ignore this e-mail; nothing will happen.",
			"Confirm e-mail address"},
		"exists": {"Someone tried to register with your address",
			"Someone just tried to create a {org} account with this e-mail address, but you already have one. If it was you, sign in instead, or reset your password if you have forgotten it.\n\nIf it was not you, you do not need to do anything: your account is unchanged.",
			"Sign in"},
		"welcome": {"Welcome to {org}",
			"Your e-mail address is confirmed and your account is ready.\n\nIf you ever need help, you can reach our support team at {help}. We will never ask you for your password or a security code.",
			"Sign in"},
		"locked": {"Your account has been locked",
			"There were too many unsuccessful attempts to sign in to your {org} account, so we have locked it for {validity} to protect it.\n\nIf it was you, you can unlock it now with the button below (the link works once). If it was not you, consider changing your password once you are signed in.",
			"Unlock my account"},
		"reset": {"Reset your password",
			"Your password reset code for {org} is: {code}\n\nEnter it on the reset page, or use the button below to choose a new password. The code and the link are valid for {validity} and work once.\n\nIf you did not ask to reset your password, ignore this e-mail: your password stays as it is.",
			"Choose a new password"},
		"password_changed": {"Your password was changed",
			"The password of your {org} account was changed on {when}. All other sessions have been signed out.\n\nIf you did not do this, reset your password at once and contact support at {help}.",
			"Reset password"},
		"new_signin": {"New sign-in to your account",
			"Your {org} account was just signed in to from a device we have not seen before: {device}, on {when}.\n\nIf this was you, you do not need to do anything. If it was not you, use the button below: it signs out every session and asks you to choose a new password.",
			"This wasn't me"},
		"recovery_code_used": {"A recovery code was used",
			"A recovery code was used to sign in to your {org} account on {when}. You have {count} unused recovery codes left; you can make a new set on your security page.\n\nIf this was not you, reset your password at once and contact support at {help}.",
			"Open security settings"},
		"mfa_failed": {"Someone entered your password but not your second factor",
			"On {when}, someone signed in to your {org} account with the right password from {device}, then failed the second step several times. Your account is safe: the second factor stopped them.\n\nIf this was not you, your password is known to someone else: change it now.",
			"Change my password"},
		"factor_added": {"A sign-in method was added",
			"A second sign-in method, {device}, was added to your {org} account on {when}.\n\nIf you did not do this, reset your password at once and contact support at {help}.",
			"Review my security settings"},
		"factor_removed": {"A sign-in method was removed",
			"The sign-in method {device} was removed from your {org} account on {when}.\n\nIf you did not do this, reset your password at once and contact support at {help}.",
			"Review my security settings"},
		"email_code": {"Your sign-in code",
			"Your {org} sign-in code is: {code}\n\nIt is valid for {validity} and works once. We will never ask you for this code by phone or chat.\n\nIf you are not signing in right now, someone knows your password: change it.",
			""},
		"recovery_requested": {"We received your request to recover your account",
			"We received a request to reset the second sign-in step of your {org} account. A member of our support team will check your identity before anything changes; they will never ask for your password.\n\nIf you did not ask for this, contact support at {help}.",
			""},
		"recovery_approved": {"Your sign-in methods will be reset",
			"A support request to reset the second sign-in step of your {org} account was approved on {when}. In {validity} your authenticator apps, passkeys, phone numbers and recovery codes will be removed, every session will end, and you will set up a new second step at your next sign-in.\n\nIf you did not ask for this, press the button below now: it cancels the reset.",
			"Cancel, this wasn't me"},
		"recovery_cancelled": {"Account recovery cancelled",
			"The request to reset the second sign-in step of your {org} account was cancelled on {when}. Nothing has changed.",
			""},
		"recovery_completed": {"Your sign-in methods were reset",
			"As requested, the second sign-in step of your {org} account was reset on {when}. All sessions were ended. Sign in with your password and set up a new second step.\n\nIf you did not ask for this, contact support at {help} at once.",
			"Sign in"},
		"recovery_rejected": {"Account recovery request declined",
			"We could not confirm your identity for the request to reset the second sign-in step of your {org} account, so nothing was changed. Contact support at {help} if you need more help.",
			""},
		"staff_inactive": {"Your staff account was disabled",
			"Your {org} staff account has not been used for {minutes} days, so it was disabled automatically, as our security policy requires. Ask an administrator to enable it again if you still need it.",
			""},
		"staff_invite": {"You have been invited to the {org} staff console",
			"An administrator created a staff account for you at {org}. Choose your password with the button below; the link works once and for {minutes} hours. At your first sign-in you will set up a second sign-in step.\n\nIf you did not expect this, ignore this e-mail and tell {help}.",
			"Choose my password"},
		"invite": {"Your {org} account is ready",
			"{org} has opened an online account for you with this e-mail address. Choose your password with the button below; the link works once and for {minutes} hours. If it has expired, use \"Forgot password\" on the sign-in page.\n\nWe will never ask you for your password or a security code. If you did not expect this e-mail, contact us at {help}.",
			"Choose my password"},
		"export_ready": {"Your data is ready to download",
			"The copy of your {org} data that you asked for is ready. Sign in and download it from the Privacy page within {count} days; the download works once.\n\nIf you did not ask for it, sign in, change your password and contact support at {help}.",
			"Download my data"},
		"closure_scheduled": {"Your account will be closed",
			"You asked us to close your {org} account. It will be closed on {when}, and your personal data erased then, except what the law requires us to keep.\n\nChanged your mind? Use the button below before that date to keep your account (the link works once).",
			"Keep my account"},
		"inactive_warning": {"Your account will be closed unless you sign in",
			"You have not signed in to your {org} account for a long time. To protect your data, we close accounts that are not used: unless you sign in before {when}, your account will be closed and your personal data erased, except what the law requires us to keep. Before that you will get one more e-mail with a link to keep your account.\n\nTo keep your account, simply sign in with the button below.",
			"Sign in"},
	},
	"vi": {
		"new_place": {"Đăng nhập mới từ {device}",
			"Tài khoản {org} của bạn vừa được đăng nhập từ {device}, lúc {when}. Chúng tôi chưa từng thấy đăng nhập từ nơi này.\n\nNếu đó là bạn (đang đi xa, dùng mạng mới), bạn không cần làm gì. Nếu không phải bạn, hãy dùng nút bên dưới: phiên đó và mọi phiên khác sẽ kết thúc, và bạn sẽ được yêu cầu chọn mật khẩu mới.",
			"Không phải tôi"},
		"risk_stopped": {"Chúng tôi đã dừng một yêu cầu đối với tài khoản của bạn",
			"Lúc {when}, có người từ {device} đã yêu cầu đặt lại mật khẩu tài khoản {org} của bạn hoặc xác nhận danh tính. Yêu cầu này có dấu hiệu không an toàn nên chúng tôi đã dừng lại và không thay đổi gì.\n\nNếu đó là bạn, hãy thử lại từ mạng bạn thường dùng, hoặc liên hệ hỗ trợ tại {help} để được giúp. Nếu không phải bạn, bạn không cần làm gì; hãy giữ an toàn cho hộp thư e-mail, vì mã đặt lại được gửi đến đó.",
			"Liên hệ hỗ trợ"},
		"signin_blocked": {"Chúng tôi đã dừng một lần đăng nhập vào tài khoản của bạn",
			"Lúc {when}, có người đã đăng nhập vào tài khoản {org} của bạn bằng mật khẩu đúng từ {device}. Lần đăng nhập này có dấu hiệu không an toàn nên chúng tôi đã dừng lại.\n\nNếu đó là bạn, hãy chọn mật khẩu mới bằng nút bên dưới rồi đăng nhập lại; nếu vẫn không vào được, hãy liên hệ hỗ trợ tại {help}. Nếu không phải bạn, người khác đã biết mật khẩu của bạn: hãy đổi mật khẩu ngay.",
			"Chọn mật khẩu mới"},
		"verify": {"Xác nhận địa chỉ e-mail của bạn",
			"Mã xác minh {org} của bạn là: {code}\n\nNhập mã trên trang xác minh hoặc dùng nút bên dưới. Mã có hiệu lực trong {validity}.\n\nNếu bạn không tạo tài khoản, hãy bỏ qua e-mail này; sẽ không có gì xảy ra.",
			"Xác nhận e-mail"},
		"exists": {"Có người đã thử đăng ký bằng địa chỉ của bạn",
			"Có người vừa thử tạo tài khoản {org} bằng địa chỉ e-mail này, nhưng bạn đã có tài khoản. Nếu đó là bạn, hãy đăng nhập, hoặc đặt lại mật khẩu nếu bạn đã quên.\n\nNếu không phải bạn, bạn không cần làm gì: tài khoản của bạn không thay đổi.",
			"Đăng nhập"},
		"welcome": {"Chào mừng bạn đến với {org}",
			"Địa chỉ e-mail của bạn đã được xác nhận và tài khoản đã sẵn sàng.\n\nKhi cần trợ giúp, bạn có thể liên hệ đội hỗ trợ tại {help}. Chúng tôi sẽ không bao giờ hỏi mật khẩu hay mã bảo mật của bạn.",
			"Đăng nhập"},
		"locked": {"Tài khoản của bạn đã bị khóa",
			"Có quá nhiều lần đăng nhập không thành công vào tài khoản {org} của bạn, nên chúng tôi đã khóa tài khoản trong {validity} để bảo vệ nó.\n\nNếu đó là bạn, bạn có thể mở khóa ngay bằng nút bên dưới (liên kết chỉ dùng được một lần). Nếu không phải bạn, hãy cân nhắc đổi mật khẩu sau khi đăng nhập.",
			"Mở khóa tài khoản"},
		"reset": {"Đặt lại mật khẩu",
			"Mã đặt lại mật khẩu {org} của bạn là: {code}\n\nNhập mã trên trang đặt lại hoặc dùng nút bên dưới để chọn mật khẩu mới. Mã và liên kết có hiệu lực trong {validity} và chỉ dùng được một lần.\n\nNếu bạn không yêu cầu đặt lại mật khẩu, hãy bỏ qua e-mail này: mật khẩu của bạn vẫn giữ nguyên.",
			"Chọn mật khẩu mới"},
		"password_changed": {"Mật khẩu của bạn đã được thay đổi",
			"Mật khẩu tài khoản {org} của bạn đã được thay đổi lúc {when}. Mọi phiên đăng nhập khác đã bị đăng xuất.\n\nNếu không phải bạn, hãy đặt lại mật khẩu ngay và liên hệ hỗ trợ tại {help}.",
			"Đặt lại mật khẩu"},
		"new_signin": {"Đăng nhập mới vào tài khoản của bạn",
			"Tài khoản {org} của bạn vừa được đăng nhập từ một thiết bị chúng tôi chưa thấy trước đây: {device}, lúc {when}.\n\nNếu đó là bạn, bạn không cần làm gì. Nếu không phải bạn, hãy dùng nút bên dưới: mọi phiên sẽ bị đăng xuất và bạn sẽ được yêu cầu chọn mật khẩu mới.",
			"Không phải tôi"},
		"recovery_code_used": {"Một mã khôi phục đã được sử dụng",
			"Một mã khôi phục đã được dùng để đăng nhập vào tài khoản {org} của bạn lúc {when}. Bạn còn {count} mã khôi phục chưa dùng; bạn có thể tạo bộ mã mới trên trang bảo mật.\n\nNếu không phải bạn, hãy đặt lại mật khẩu ngay và liên hệ hỗ trợ tại {help}.",
			"Mở cài đặt bảo mật"},
		"mfa_failed": {"Có người đã nhập đúng mật khẩu nhưng không qua được bước xác thực thứ hai",
			"Lúc {when}, có người đã đăng nhập vào tài khoản {org} của bạn bằng mật khẩu đúng từ {device}, rồi thất bại nhiều lần ở bước thứ hai. Tài khoản của bạn vẫn an toàn: bước xác thực thứ hai đã chặn họ.\n\nNếu không phải bạn, người khác đã biết mật khẩu của bạn: hãy đổi mật khẩu ngay.",
			"Đổi mật khẩu"},
		"factor_added": {"Một phương thức đăng nhập đã được thêm",
			"Phương thức đăng nhập thứ hai {device} đã được thêm vào tài khoản {org} của bạn lúc {when}.\n\nNếu không phải bạn, hãy đặt lại mật khẩu ngay và liên hệ hỗ trợ tại {help}.",
			"Xem cài đặt bảo mật"},
		"factor_removed": {"Một phương thức đăng nhập đã bị gỡ",
			"Phương thức đăng nhập {device} đã bị gỡ khỏi tài khoản {org} của bạn lúc {when}.\n\nNếu không phải bạn, hãy đặt lại mật khẩu ngay và liên hệ hỗ trợ tại {help}.",
			"Xem cài đặt bảo mật"},
		"email_code": {"Mã đăng nhập của bạn",
			"Mã đăng nhập {org} của bạn là: {code}\n\nMã có hiệu lực trong {validity} và chỉ dùng được một lần. Chúng tôi sẽ không bao giờ hỏi mã này qua điện thoại hay chat.\n\nNếu bạn không đang đăng nhập, người khác đã biết mật khẩu của bạn: hãy đổi mật khẩu.",
			""},
		"recovery_requested": {"Chúng tôi đã nhận yêu cầu khôi phục tài khoản của bạn",
			"Chúng tôi đã nhận yêu cầu đặt lại bước đăng nhập thứ hai của tài khoản {org} của bạn. Nhân viên hỗ trợ sẽ xác minh danh tính của bạn trước khi thay đổi bất cứ điều gì; họ sẽ không bao giờ hỏi mật khẩu của bạn.\n\nNếu bạn không yêu cầu, hãy liên hệ hỗ trợ tại {help}.",
			""},
		"recovery_approved": {"Các phương thức đăng nhập của bạn sẽ được đặt lại",
			"Yêu cầu đặt lại bước đăng nhập thứ hai của tài khoản {org} của bạn đã được chấp thuận lúc {when}. Sau {validity}, các ứng dụng xác thực, khóa truy cập (passkey), số điện thoại và mã khôi phục sẽ bị gỡ, mọi phiên sẽ kết thúc và bạn sẽ thiết lập bước thứ hai mới ở lần đăng nhập tới.\n\nNếu bạn không yêu cầu, hãy bấm nút bên dưới ngay: việc đặt lại sẽ bị hủy.",
			"Hủy, không phải tôi"},
		"recovery_cancelled": {"Đã hủy khôi phục tài khoản",
			"Yêu cầu đặt lại bước đăng nhập thứ hai của tài khoản {org} của bạn đã bị hủy lúc {when}. Không có gì thay đổi.",
			""},
		"recovery_completed": {"Các phương thức đăng nhập của bạn đã được đặt lại",
			"Theo yêu cầu, bước đăng nhập thứ hai của tài khoản {org} của bạn đã được đặt lại lúc {when}. Mọi phiên đã kết thúc. Hãy đăng nhập bằng mật khẩu và thiết lập bước thứ hai mới.\n\nNếu bạn không yêu cầu, hãy liên hệ hỗ trợ tại {help} ngay.",
			"Đăng nhập"},
		"recovery_rejected": {"Yêu cầu khôi phục tài khoản bị từ chối",
			"Chúng tôi không thể xác minh danh tính của bạn cho yêu cầu đặt lại bước đăng nhập thứ hai của tài khoản {org}, nên không có gì thay đổi. Hãy liên hệ hỗ trợ tại {help} nếu bạn cần thêm trợ giúp.",
			""},
		"staff_inactive": {"Tài khoản nhân viên của bạn đã bị vô hiệu hóa",
			"Tài khoản nhân viên {org} của bạn đã không được sử dụng trong {minutes} ngày nên đã tự động bị vô hiệu hóa theo chính sách bảo mật. Hãy nhờ quản trị viên kích hoạt lại nếu bạn vẫn cần.",
			""},
		"staff_invite": {"Bạn được mời vào bảng điều khiển nhân viên {org}",
			"Quản trị viên đã tạo tài khoản nhân viên {org} cho bạn. Hãy chọn mật khẩu bằng nút bên dưới; liên kết chỉ dùng một lần và có hiệu lực trong {minutes} giờ. Ở lần đăng nhập đầu tiên, bạn sẽ thiết lập bước đăng nhập thứ hai.\n\nNếu bạn không mong đợi e-mail này, hãy bỏ qua và báo cho {help}.",
			"Chọn mật khẩu"},
		"invite": {"Tài khoản {org} của bạn đã sẵn sàng",
			"{org} đã mở tài khoản trực tuyến cho bạn với địa chỉ e-mail này. Hãy chọn mật khẩu bằng nút bên dưới; liên kết chỉ dùng một lần và có hiệu lực trong {minutes} giờ. Nếu liên kết đã hết hạn, hãy dùng \"Quên mật khẩu\" trên trang đăng nhập.\n\nChúng tôi sẽ không bao giờ hỏi mật khẩu hay mã bảo mật của bạn. Nếu bạn không mong đợi e-mail này, hãy liên hệ với chúng tôi tại {help}.",
			"Chọn mật khẩu"},
		"export_ready": {"Dữ liệu của bạn đã sẵn sàng để tải về",
			"Bản sao dữ liệu {org} mà bạn yêu cầu đã sẵn sàng. Hãy đăng nhập và tải về từ trang Quyền riêng tư trong vòng {count} ngày; liên kết tải chỉ dùng được một lần.\n\nNếu bạn không yêu cầu, hãy đăng nhập, đổi mật khẩu và liên hệ bộ phận hỗ trợ tại {help}.",
			"Tải dữ liệu của tôi"},
		"closure_scheduled": {"Tài khoản của bạn sẽ bị đóng",
			"Bạn đã yêu cầu đóng tài khoản {org}. Tài khoản sẽ được đóng vào {when} và dữ liệu cá nhân của bạn sẽ bị xóa khi đó, trừ những gì pháp luật yêu cầu chúng tôi lưu giữ.\n\nBạn đổi ý? Hãy bấm nút dưới đây trước ngày đó để giữ tài khoản (liên kết chỉ dùng được một lần).",
			"Giữ tài khoản của tôi"},
		"inactive_warning": {"Tài khoản của bạn sẽ bị đóng nếu bạn không đăng nhập",
			"Đã lâu bạn không đăng nhập vào tài khoản {org}. Để bảo vệ dữ liệu của bạn, chúng tôi đóng các tài khoản không còn được sử dụng: nếu bạn không đăng nhập trước {when}, tài khoản sẽ bị đóng và dữ liệu cá nhân của bạn sẽ bị xóa, trừ những gì pháp luật yêu cầu chúng tôi lưu giữ. Trước đó bạn sẽ nhận thêm một e-mail có liên kết để giữ tài khoản.\n\nĐể giữ tài khoản, bạn chỉ cần đăng nhập bằng nút bên dưới.",
			"Đăng nhập"},
	},
	"zh": {
		"new_place": {"来自 {device} 的新登录",
			"您的 {org} 账户刚刚从 {device} 登录，时间 {when}。我们此前从未见过来自该地点的登录。\n\n如果是您本人（出行或使用了新的网络），无需任何操作。如果不是您本人，请点击下方按钮：该会话及其他所有会话将被结束，并要求您设置新密码。",
			"这不是我"},
		"risk_stopped": {"我们阻止了一项针对您账户的请求",
			"{when}，有人从 {device} 请求重置您 {org} 账户的密码或确认身份。该请求看起来不安全，因此我们阻止了它，未做任何更改。\n\n如果是您本人，请在您常用的网络上重试，或通过 {help} 联系客服获取帮助。如果不是您本人，您无需任何操作；请确保您的电子邮箱安全，因为重置验证码会发送到那里。",
			"联系客服"},
		"signin_blocked": {"我们阻止了一次登录您账户的尝试",
			"{when}，有人使用正确的密码从 {device} 登录您的 {org} 账户。这次登录看起来不安全，因此我们阻止了它。\n\n如果是您本人，请点击下方按钮设置新密码后重新登录；如仍无法登录，请通过 {help} 联系客服。如果不是您本人，说明有人知道您的密码：请立即更改密码。",
			"设置新密码"},
		"verify": {"确认您的电子邮件地址",
			"您的 {org} 验证码是：{code}\n\n请在验证页面输入该验证码，或点击下方按钮。验证码在 {validity}内有效。\n\n如果您没有注册账户，请忽略此邮件，不会有任何影响。",
			"确认电子邮件地址"},
		"exists": {"有人尝试用您的地址注册",
			"有人刚刚尝试用此电子邮件地址注册 {org} 账户，但您已经有账户了。如果是您本人，请直接登录；如果忘记了密码，请重置密码。\n\n如果不是您本人，您无需任何操作，您的账户没有变化。",
			"登录"},
		"welcome": {"欢迎使用 {org}",
			"您的电子邮件地址已确认，账户已可以使用。\n\n如需帮助，请通过 {help} 联系我们的客服团队。我们绝不会向您索取密码或安全验证码。",
			"登录"},
		"locked": {"您的账户已被锁定",
			"您的 {org} 账户登录失败次数过多，为保护账户安全，我们已将其锁定 {validity}。\n\n如果是您本人，可以点击下方按钮立即解锁（链接仅可使用一次）。如果不是您本人，建议登录后修改密码。",
			"解锁我的账户"},
		"reset": {"重置您的密码",
			"您的 {org} 密码重置码是：{code}\n\n请在重置页面输入该重置码，或点击下方按钮设置新密码。重置码和链接在 {validity}内有效，且只能使用一次。\n\n如果您没有申请重置密码，请忽略此邮件，您的密码不会改变。",
			"设置新密码"},
		"password_changed": {"您的密码已更改",
			"您的 {org} 账户密码已于 {when} 更改，其他所有会话均已退出。\n\n如果这不是您本人的操作，请立即重置密码并通过 {help} 联系客服。",
			"重置密码"},
		"new_signin": {"您的账户有新的登录",
			"您的 {org} 账户刚刚在一台我们从未见过的设备上登录：{device}，时间 {when}。\n\n如果是您本人，无需任何操作。如果不是您本人，请点击下方按钮：所有会话将被退出，并要求您设置新密码。",
			"这不是我"},
		"recovery_code_used": {"已使用一个恢复码",
			"{when}，有人使用恢复码登录了您的 {org} 账户。您还剩 {count} 个未使用的恢复码；您可以在安全设置页面生成新的一组。\n\n如果这不是您本人，请立即重置密码并通过 {help} 联系客服。",
			"打开安全设置"},
		"mfa_failed": {"有人输入了您的密码，但未通过第二步验证",
			"{when}，有人在 {device} 上用正确的密码登录您的 {org} 账户，随后多次未通过第二步验证。您的账户是安全的：第二步验证阻止了对方。\n\n如果这不是您本人，说明有人知道您的密码：请立即更改密码。",
			"更改密码"},
		"factor_added": {"已添加一种登录方式",
			"{when}，您的 {org} 账户添加了第二种登录方式：{device}。\n\n如果这不是您本人操作，请立即重置密码并通过 {help} 联系客服。",
			"查看安全设置"},
		"factor_removed": {"已移除一种登录方式",
			"{when}，您的 {org} 账户移除了登录方式：{device}。\n\n如果这不是您本人操作，请立即重置密码并通过 {help} 联系客服。",
			"查看安全设置"},
		"email_code": {"您的登录验证码",
			"您的 {org} 登录验证码是：{code}\n\n验证码 {validity}内有效，只能使用一次。我们绝不会通过电话或聊天向您索要此验证码。\n\n如果您现在没有在登录，说明有人知道您的密码：请更改密码。",
			""},
		"recovery_requested": {"我们已收到您的账户恢复请求",
			"我们已收到重置您 {org} 账户第二步登录验证的请求。在做出任何更改之前，客服人员会先核实您的身份；他们绝不会向您索要密码。\n\n如果这不是您提出的请求，请通过 {help} 联系客服。",
			""},
		"recovery_approved": {"您的登录方式即将被重置",
			"重置您 {org} 账户第二步登录验证的请求已于 {when} 获批。{validity}后，您的身份验证器应用、通行密钥、手机号码和恢复码将被移除，所有会话将结束，您需要在下次登录时设置新的第二步验证。\n\n如果这不是您提出的请求，请立即点击下面的按钮取消重置。",
			"取消，这不是我"},
		"recovery_cancelled": {"账户恢复已取消",
			"重置您 {org} 账户第二步登录验证的请求已于 {when} 取消。没有任何更改。",
			""},
		"recovery_completed": {"您的登录方式已被重置",
			"根据您的请求，您 {org} 账户的第二步登录验证已于 {when} 重置，所有会话均已结束。请用密码登录并设置新的第二步验证。\n\n如果这不是您提出的请求，请立即通过 {help} 联系客服。",
			"登录"},
		"recovery_rejected": {"账户恢复请求未获批准",
			"我们无法为重置您 {org} 账户第二步登录验证的请求核实您的身份，因此没有做任何更改。如需更多帮助，请通过 {help} 联系客服。",
			""},
		"staff_inactive": {"您的员工账户已被停用",
			"您的 {org} 员工账户已有 {minutes} 天未使用，按照安全策略已被自动停用。如仍需要，请联系管理员重新启用。",
			""},
		"staff_invite": {"您已受邀使用 {org} 员工控制台",
			"管理员已为您创建 {org} 员工账户。请点击下面的按钮设置密码；链接只能使用一次，{minutes} 小时内有效。首次登录时，您需要设置第二步登录验证。\n\n如果您没有预期收到此邮件，请忽略并告知 {help}。",
			"设置我的密码"},
		"invite": {"您的 {org} 账户已开通",
			"{org} 已使用此电子邮件地址为您开通在线账户。请点击下面的按钮设置密码；链接只能使用一次，{minutes} 小时内有效。如果链接已过期，请在登录页面使用“忘记密码”。\n\n我们绝不会向您索取密码或安全验证码。如果您没有预期收到此邮件，请通过 {help} 联系我们。",
			"设置我的密码"},
		"export_ready": {"您的数据已可下载",
			"您申请的 {org} 数据副本已准备好。请在 {count} 天内登录并在“隐私”页面下载；下载链接只能使用一次。\n\n如果这不是您申请的，请登录、修改密码，并通过 {help} 联系客服。",
			"下载我的数据"},
		"closure_scheduled": {"您的账户将被关闭",
			"您申请关闭 {org} 账户。账户将于 {when} 关闭，届时您的个人数据将被删除，法律要求我们保留的除外。\n\n改变主意了？请在该日期之前点击下方按钮保留账户（链接只能使用一次）。",
			"保留我的账户"},
		"inactive_warning": {"如不登录，您的账户将被关闭",
			"您已很久没有登录 {org} 账户。为保护您的数据，我们会关闭不再使用的账户：如果您在 {when} 之前没有登录，账户将被关闭，您的个人数据将被删除，法律要求我们保留的除外。在此之前，您还会收到一封附有保留账户链接的电子邮件。\n\n如需保留账户，只需点击下方按钮登录。",
			"登录"},
	},
}
