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
	r := strings.NewReplacer("{code}", a.Code, "{minutes}", strconv.Itoa(a.Minutes), "{device}", a.Device,
		"{when}", a.When, "{org}", a.org, "{help}", a.Help)
	return mailParts{title: r.Replace(t.title), body: r.Replace(t.body), action: r.Replace(t.action)}
}

// Body paragraphs are separated by a blank line.
var mailTexts = map[string]map[string]mailParts{
	"en": {
		"verify": {"Confirm your e-mail address",
			"Your verification code for {org} is: {code}\n\nEnter it on the verification page, or use the button below. The code is valid for {minutes} minutes.\n\nIf you did not create an account, ignore this e-mail; nothing will happen.",
			"Confirm e-mail address"},
		"exists": {"Someone tried to register with your address",
			"Someone just tried to create a {org} account with this e-mail address, but you already have one. If it was you, sign in instead, or reset your password if you have forgotten it.\n\nIf it was not you, you do not need to do anything: your account is unchanged.",
			"Sign in"},
		"welcome": {"Welcome to {org}",
			"Your e-mail address is confirmed and your account is ready.\n\nIf you ever need help, you can reach our support team at {help}. We will never ask you for your password or a security code.",
			"Sign in"},
		"locked": {"Your account has been locked",
			"There were too many unsuccessful attempts to sign in to your {org} account, so we have locked it for {minutes} minutes to protect it.\n\nIf it was you, you can unlock it now with the button below (the link works once). If it was not you, consider changing your password once you are signed in.",
			"Unlock my account"},
		"reset": {"Reset your password",
			"Your password reset code for {org} is: {code}\n\nEnter it on the reset page, or use the button below to choose a new password. The code and the link are valid for {minutes} minutes and work once.\n\nIf you did not ask to reset your password, ignore this e-mail: your password stays as it is.",
			"Choose a new password"},
		"password_changed": {"Your password was changed",
			"The password of your {org} account was changed on {when}. All other sessions have been signed out.\n\nIf you did not do this, reset your password at once and contact support at {help}.",
			"Reset password"},
		"new_signin": {"New sign-in to your account",
			"Your {org} account was just signed in to from a device we have not seen before: {device}, on {when}.\n\nIf this was you, you do not need to do anything. If it was not you, use the button below: it signs out every session and asks you to choose a new password.",
			"This wasn't me"},
	},
	"vi": {
		"verify": {"Xác nhận địa chỉ e-mail của bạn",
			"Mã xác minh {org} của bạn là: {code}\n\nNhập mã trên trang xác minh hoặc dùng nút bên dưới. Mã có hiệu lực trong {minutes} phút.\n\nNếu bạn không tạo tài khoản, hãy bỏ qua e-mail này; sẽ không có gì xảy ra.",
			"Xác nhận e-mail"},
		"exists": {"Có người đã thử đăng ký bằng địa chỉ của bạn",
			"Có người vừa thử tạo tài khoản {org} bằng địa chỉ e-mail này, nhưng bạn đã có tài khoản. Nếu đó là bạn, hãy đăng nhập, hoặc đặt lại mật khẩu nếu bạn đã quên.\n\nNếu không phải bạn, bạn không cần làm gì: tài khoản của bạn không thay đổi.",
			"Đăng nhập"},
		"welcome": {"Chào mừng bạn đến với {org}",
			"Địa chỉ e-mail của bạn đã được xác nhận và tài khoản đã sẵn sàng.\n\nKhi cần trợ giúp, bạn có thể liên hệ đội hỗ trợ tại {help}. Chúng tôi sẽ không bao giờ hỏi mật khẩu hay mã bảo mật của bạn.",
			"Đăng nhập"},
		"locked": {"Tài khoản của bạn đã bị khóa",
			"Có quá nhiều lần đăng nhập không thành công vào tài khoản {org} của bạn, nên chúng tôi đã khóa tài khoản trong {minutes} phút để bảo vệ nó.\n\nNếu đó là bạn, bạn có thể mở khóa ngay bằng nút bên dưới (liên kết chỉ dùng được một lần). Nếu không phải bạn, hãy cân nhắc đổi mật khẩu sau khi đăng nhập.",
			"Mở khóa tài khoản"},
		"reset": {"Đặt lại mật khẩu",
			"Mã đặt lại mật khẩu {org} của bạn là: {code}\n\nNhập mã trên trang đặt lại hoặc dùng nút bên dưới để chọn mật khẩu mới. Mã và liên kết có hiệu lực trong {minutes} phút và chỉ dùng được một lần.\n\nNếu bạn không yêu cầu đặt lại mật khẩu, hãy bỏ qua e-mail này: mật khẩu của bạn vẫn giữ nguyên.",
			"Chọn mật khẩu mới"},
		"password_changed": {"Mật khẩu của bạn đã được thay đổi",
			"Mật khẩu tài khoản {org} của bạn đã được thay đổi lúc {when}. Mọi phiên đăng nhập khác đã bị đăng xuất.\n\nNếu không phải bạn, hãy đặt lại mật khẩu ngay và liên hệ hỗ trợ tại {help}.",
			"Đặt lại mật khẩu"},
		"new_signin": {"Đăng nhập mới vào tài khoản của bạn",
			"Tài khoản {org} của bạn vừa được đăng nhập từ một thiết bị chúng tôi chưa thấy trước đây: {device}, lúc {when}.\n\nNếu đó là bạn, bạn không cần làm gì. Nếu không phải bạn, hãy dùng nút bên dưới: mọi phiên sẽ bị đăng xuất và bạn sẽ được yêu cầu chọn mật khẩu mới.",
			"Không phải tôi"},
	},
	"zh": {
		"verify": {"确认您的电子邮件地址",
			"您的 {org} 验证码是：{code}\n\n请在验证页面输入该验证码，或点击下方按钮。验证码在 {minutes} 分钟内有效。\n\n如果您没有注册账户，请忽略此邮件，不会有任何影响。",
			"确认电子邮件地址"},
		"exists": {"有人尝试用您的地址注册",
			"有人刚刚尝试用此电子邮件地址注册 {org} 账户，但您已经有账户了。如果是您本人，请直接登录；如果忘记了密码，请重置密码。\n\n如果不是您本人，您无需任何操作，您的账户没有变化。",
			"登录"},
		"welcome": {"欢迎使用 {org}",
			"您的电子邮件地址已确认，账户已可以使用。\n\n如需帮助，请通过 {help} 联系我们的客服团队。我们绝不会向您索取密码或安全验证码。",
			"登录"},
		"locked": {"您的账户已被锁定",
			"您的 {org} 账户登录失败次数过多，为保护账户安全，我们已将其锁定 {minutes} 分钟。\n\n如果是您本人，可以点击下方按钮立即解锁（链接仅可使用一次）。如果不是您本人，建议登录后修改密码。",
			"解锁我的账户"},
		"reset": {"重置您的密码",
			"您的 {org} 密码重置码是：{code}\n\n请在重置页面输入该重置码，或点击下方按钮设置新密码。重置码和链接在 {minutes} 分钟内有效，且只能使用一次。\n\n如果您没有申请重置密码，请忽略此邮件，您的密码不会改变。",
			"设置新密码"},
		"password_changed": {"您的密码已更改",
			"您的 {org} 账户密码已于 {when} 更改，其他所有会话均已退出。\n\n如果这不是您本人的操作，请立即重置密码并通过 {help} 联系客服。",
			"重置密码"},
		"new_signin": {"您的账户有新的登录",
			"您的 {org} 账户刚刚在一台我们从未见过的设备上登录：{device}，时间 {when}。\n\n如果是您本人，无需任何操作。如果不是您本人，请点击下方按钮：所有会话将被退出，并要求您设置新密码。",
			"这不是我"},
	},
}
