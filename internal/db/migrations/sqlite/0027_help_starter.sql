-- The help centre's starter content (internal/kb/starter.go): one row,
-- written when the starter articles were added, so that an article an
-- editor deleted is never added again.
CREATE TABLE kb_starter (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	seeded_at TIMESTAMP NOT NULL
);

-- The "Can't sign in" guide started from "It says my account is locked",
-- which the product never says (a locked account is told the same as a
-- wrong password). It now starts from the messages the sign-in page
-- really shows. Only the example as shipped is replaced: a guide an
-- editor has saved carries the editor's id, not 'seed'.
UPDATE kb_flows SET definition = '{
  "nodes": [
    {
      "id": "start",
      "kind": "question",
      "text": {
        "en": "What does the sign-in page say?",
        "vi": "Trang đăng nhập hiện thông báo gì?",
        "zh": "登录页面显示了什么提示？"
      },
      "choices": [
        {
          "label": {
            "en": "“The e-mail address or password is not correct.”",
            "vi": "“Địa chỉ e-mail hoặc mật khẩu không đúng.”",
            "zh": "“电子邮件地址或密码不正确。”"
          },
          "next": "wrong-password"
        },
        {
          "label": {
            "en": "“Too many attempts. Please wait a little…”",
            "vi": "“Quá nhiều lần thử. Vui lòng đợi một chút…”",
            "zh": "“尝试次数过多，请稍后再试。”"
          },
          "next": "too-many"
        },
        {
          "label": {
            "en": "“Choose a new password before signing in…”",
            "vi": "“Hãy chọn mật khẩu mới trước khi đăng nhập…”",
            "zh": "“登录前请先设置新密码…”"
          },
          "next": "must-reset"
        },
        {
          "label": {
            "en": "“Your browser did not keep our cookie…”",
            "vi": "“Trình duyệt của bạn không giữ cookie…”",
            "zh": "“您的浏览器没有保存我们的 Cookie…”"
          },
          "next": "cookies"
        },
        {
          "label": {
            "en": "I am stuck at the second step (the code)",
            "vi": "Tôi bị kẹt ở bước thứ hai (mã xác thực)",
            "zh": "我卡在第二步（验证码）"
          },
          "next": "second-step"
        },
        {
          "label": {
            "en": "Something else",
            "vi": "Vấn đề khác",
            "zh": "其他问题"
          },
          "next": "talk"
        }
      ]
    },
    {
      "id": "wrong-password",
      "kind": "step",
      "text": {
        "en": "Check that Caps Lock is off and that you use the e-mail address you registered with, then type your password again. After several unsuccessful attempts we pause sign-in for a while to protect the account, even with the right password, and e-mail the account a link to unlock it: look for that e-mail too.",
        "vi": "Hãy kiểm tra phím Caps Lock đã tắt và bạn đang dùng đúng địa chỉ e-mail đã đăng ký, rồi nhập lại mật khẩu. Sau nhiều lần thử không thành công, chúng tôi tạm dừng đăng nhập một thời gian để bảo vệ tài khoản, kể cả khi mật khẩu đúng, và gửi e-mail có liên kết mở khóa đến tài khoản: hãy tìm cả e-mail đó.",
        "zh": "请确认大写锁定已关闭，并使用您注册时的电子邮件地址，然后重新输入密码。多次尝试失败后，为保护账户，我们会暂停登录一段时间（即使密码正确也无法登录），并向该账户发送一封含解锁链接的邮件：也请查看这封邮件。"
      },
      "worked": "solved",
      "stuck": "reset"
    },
    {
      "id": "too-many",
      "kind": "step",
      "text": {
        "en": "Wait about a quarter of an hour before you try again. If an e-mail from us says “Unlock my account”, press its button first, then sign in.",
        "vi": "Hãy đợi khoảng mười lăm phút rồi thử lại. Nếu có e-mail của chúng tôi với nút “Mở khóa tài khoản”, hãy bấm nút đó trước rồi đăng nhập.",
        "zh": "请等待约十五分钟后再试。如果收到我们发来的含“解锁我的账户”的邮件，请先点击该按钮，然后再登录。"
      },
      "worked": "solved",
      "stuck": "unlock"
    },
    {
      "id": "unlock",
      "kind": "action",
      "action": "resend_unlock",
      "text": {
        "en": "No e-mail, or the link has expired? We can send the unlock link again. Setting a new password also unlocks the account.",
        "vi": "Không có e-mail, hoặc liên kết đã hết hạn? Chúng tôi có thể gửi lại liên kết mở khóa. Đặt mật khẩu mới cũng sẽ mở khóa tài khoản.",
        "zh": "没有收到邮件，或链接已过期？我们可以重新发送解锁链接。设置新密码也会解锁账户。"
      }
    },
    {
      "id": "must-reset",
      "kind": "step",
      "text": {
        "en": "Open the newest e-mail from us and follow its link to choose a new password, then sign in with the new password.",
        "vi": "Hãy mở e-mail mới nhất của chúng tôi và làm theo liên kết để chọn mật khẩu mới, rồi đăng nhập bằng mật khẩu mới.",
        "zh": "请打开我们最新发送的邮件，按照其中的链接设置新密码，然后用新密码登录。"
      },
      "worked": "solved",
      "stuck": "reset"
    },
    {
      "id": "reset",
      "kind": "action",
      "action": "reset_password",
      "text": {
        "en": "Set a new password: we e-mail you a link to choose one. A new password also unlocks a paused account.",
        "vi": "Đặt mật khẩu mới: chúng tôi gửi cho bạn liên kết để chọn mật khẩu. Mật khẩu mới cũng mở khóa tài khoản đang bị tạm dừng.",
        "zh": "设置新密码：我们会通过邮件发送设置链接。新密码也会解锁被暂停的账户。"
      }
    },
    {
      "id": "cookies",
      "kind": "step",
      "text": {
        "en": "Allow cookies for this site, or update your browser to its latest version, then open the sign-in page again. A private window that blocks all cookies cannot stay signed in.",
        "vi": "Hãy cho phép cookie cho trang này, hoặc cập nhật trình duyệt lên phiên bản mới nhất, rồi mở lại trang đăng nhập. Cửa sổ riêng tư chặn mọi cookie thì không thể duy trì đăng nhập.",
        "zh": "请允许本网站使用 Cookie，或将浏览器更新到最新版本，然后重新打开登录页面。阻止所有 Cookie 的隐私窗口无法保持登录。"
      },
      "worked": "solved",
      "stuck": "talk"
    },
    {
      "id": "second-step",
      "kind": "step",
      "text": {
        "en": "A code by SMS or e-mail can take a minute: ask for a new one only once. If you lost your phone or security key, type one of your recovery codes instead of the code, or choose “Lost your phone or security key?” on the sign-in page.",
        "vi": "Mã gửi qua SMS hoặc e-mail có thể mất một phút: chỉ yêu cầu mã mới một lần. Nếu bạn mất điện thoại hoặc khóa bảo mật, hãy nhập một mã khôi phục thay cho mã xác thực, hoặc chọn “Mất điện thoại hoặc khóa bảo mật?” trên trang đăng nhập.",
        "zh": "短信或邮件验证码可能需要一分钟才能送达：只需重新获取一次。如果手机或安全密钥丢失，请输入一个恢复码代替验证码，或在登录页面选择“手机或安全密钥丢了？”。"
      },
      "worked": "solved",
      "stuck": "talk"
    },
    {
      "id": "talk",
      "kind": "handover",
      "text": {
        "en": "A member of our support team can help you sign in.",
        "vi": "Nhân viên hỗ trợ của chúng tôi có thể giúp bạn đăng nhập.",
        "zh": "我们的客服人员可以帮助您登录。"
      }
    },
    {
      "id": "solved",
      "kind": "solved",
      "text": {
        "en": "Glad you can sign in again!",
        "vi": "Thật vui vì bạn đã đăng nhập lại được!",
        "zh": "很高兴您已能重新登录!"
      }
    }
  ]
}'
WHERE id = 'f1000000000000000000000000000001' AND author_id = 'seed';
