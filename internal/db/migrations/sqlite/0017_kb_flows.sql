-- Guided troubleshooting flows (internal/kb/flows.go): one row per flow,
-- its definition (JSON: the nodes, the first is the start) as the editor
-- wrote it, and the previous definitions. docs/architecture.md says why a
-- flow is one document rather than rows of nodes.

CREATE TABLE kb_flows (
	id         TEXT PRIMARY KEY,
	slug       TEXT NOT NULL UNIQUE,
	status     TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
	title_en   TEXT NOT NULL,
	title_vi   TEXT NOT NULL DEFAULT '',
	title_zh   TEXT NOT NULL DEFAULT '',
	keywords   TEXT NOT NULL DEFAULT '',
	definition TEXT NOT NULL,
	author_id  TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

CREATE TABLE kb_flow_revisions (
	id         TEXT PRIMARY KEY,
	flow_id    TEXT NOT NULL REFERENCES kb_flows (id) ON DELETE CASCADE,
	status     TEXT NOT NULL,
	definition TEXT NOT NULL,
	author_id  TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX kb_flow_revisions_flow ON kb_flow_revisions (flow_id, created_at);

-- The editors' list of articles: most recently changed first.
CREATE INDEX kb_articles_updated ON kb_articles (updated_at, id);

-- An example to edit: "Can't sign in", published, in three languages.
INSERT INTO kb_flows (id, slug, status, title_en, title_vi, title_zh, keywords, definition, author_id, created_at, updated_at)
VALUES ('f1000000000000000000000000000001', 'cant-sign-in', 'published', 'Can''t sign in', 'Không đăng nhập được', '无法登录',
'sign in, signin, log in, login, locked out, account locked, đăng nhập, bị khóa, 登录, 登入, 锁定',
'{
  "nodes": [
    {
      "id": "start",
      "kind": "question",
      "text": {
        "en": "What happens when you try to sign in?",
        "vi": "Điều gì xảy ra khi bạn thử đăng nhập?",
        "zh": "您尝试登录时出现了什么情况?"
      },
      "choices": [
        {
          "label": {
            "en": "It says my account is locked",
            "vi": "Báo tài khoản của tôi bị khóa",
            "zh": "提示我的账户已被锁定"
          },
          "next": "locked"
        },
        {
          "label": {
            "en": "It says my e-mail or password is wrong",
            "vi": "Báo e-mail hoặc mật khẩu không đúng",
            "zh": "提示电子邮件或密码错误"
          },
          "next": "wrong-password"
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
      "id": "locked",
      "kind": "step",
      "text": {
        "en": "After too many wrong passwords your account locks for a while to protect it, and we e-mail you a link to unlock it. Open the newest e-mail from us, press “Unlock my account”, then sign in again.",
        "vi": "Sau quá nhiều lần nhập sai mật khẩu, tài khoản của bạn bị khóa tạm thời để bảo vệ, và chúng tôi gửi cho bạn e-mail có liên kết mở khóa. Hãy mở e-mail mới nhất của chúng tôi, nhấn “Mở khóa tài khoản”, rồi đăng nhập lại.",
        "zh": "多次输入错误密码后,为保护您的账户,账户会被暂时锁定,我们会向您发送一封含有解锁链接的电子邮件。请打开我们最新的邮件,点击“解锁我的账户”,然后重新登录。"
      },
      "worked": "solved",
      "stuck": "unlock"
    },
    {
      "id": "unlock",
      "kind": "action",
      "action": "resend_unlock",
      "text": {
        "en": "No e-mail, or the link has expired? Set a new password: this also unlocks your account.",
        "vi": "Không nhận được e-mail hoặc liên kết đã hết hạn? Hãy đặt mật khẩu mới: việc này cũng mở khóa tài khoản của bạn.",
        "zh": "没有收到邮件或链接已过期?请设置新密码,这也会解锁您的账户。"
      }
    },
    {
      "id": "wrong-password",
      "kind": "step",
      "text": {
        "en": "Check that Caps Lock is off and that you use the e-mail address you registered with, then type your password again.",
        "vi": "Hãy kiểm tra phím Caps Lock đã tắt và bạn đang dùng đúng địa chỉ e-mail đã đăng ký, rồi nhập lại mật khẩu.",
        "zh": "请确认大写锁定键已关闭,并且使用的是注册时的电子邮件地址,然后重新输入密码。"
      },
      "worked": "solved",
      "stuck": "reset"
    },
    {
      "id": "reset",
      "kind": "action",
      "action": "reset_password",
      "text": {
        "en": "Reset your password: we e-mail you a link to choose a new one.",
        "vi": "Đặt lại mật khẩu: chúng tôi gửi e-mail có liên kết để bạn chọn mật khẩu mới.",
        "zh": "重置密码:我们会向您发送一封邮件,您可以通过其中的链接设置新密码。"
      }
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
}',
'seed', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
