package mailin

import "testing"

func TestStripQuoted(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"english gmail",
			"Yes, that fixed it.\n\nOn Mon, Mar 10, 2025 at 9:00 AM Support <support@frontdesk.test> wrote:\n> Please try again.\n> Thanks\n",
			"Yes, that fixed it."},
		{"english wrapped attribution",
			"Works now.\r\n\r\nOn Mon, Mar 10, 2025 at 9:00 AM Frontdesk Support <\r\nsupport@frontdesk.test> wrote:\r\n\r\n> Please try again.\r\n",
			"Works now."},
		{"english apple mail",
			"Thanks!\n\n> On 10 Mar 2025, at 09:00, Support <support@frontdesk.test> wrote:\n> \n> Please try again.\n",
			"Thanks!"},
		{"vietnamese gmail",
			"Cảm ơn, tôi đã đăng nhập được.\n\nVào Th 2, 10 thg 3, 2025 vào lúc 09:00 Frontdesk Support <support@frontdesk.test> đã viết:\n> Bạn hãy thử lại.\n",
			"Cảm ơn, tôi đã đăng nhập được."},
		{"vietnamese wrapped",
			"Được rồi.\n\nVào Th 2, 10 thg 3, 2025 vào lúc 09:00 Frontdesk Support <\nsupport@frontdesk.test> đã viết:\n\n> Bạn hãy thử lại.\n",
			"Được rồi."},
		{"chinese 在…写道",
			"谢谢，已经可以登录了。\n\n在 2025年3月10日 周一 09:00，Frontdesk Support <support@frontdesk.test> 写道：\n> 请再试一次。\n",
			"谢谢，已经可以登录了。"},
		{"chinese gmail 于…写道",
			"好的。\n\nFrontdesk Support <support@frontdesk.test> 于2025年3月10日周一 09:00写道：\n\n> 请再试一次。\n",
			"好的。"},
		{"outlook original message",
			"Done, thanks.\n\n-----Original Message-----\nFrom: Support <support@frontdesk.test>\nSent: Monday, March 10, 2025 9:00 AM\nSubject: RE: Login\n\nPlease try again.\n",
			"Done, thanks."},
		{"outlook header block",
			"Done.\n\n________________________________\nFrom: Support <support@frontdesk.test>\nSent: Monday, March 10, 2025 9:00 AM\nTo: Pat\nSubject: Login\n\nPlease try again.\n",
			"Done."},
		{"outlook vietnamese",
			"Xong rồi.\n\nTừ: Frontdesk Support <support@frontdesk.test>\nĐã gửi: Thứ Hai, 10 tháng 3, 2025 9:00 SA\nChủ đề: Đăng nhập\n\nBạn hãy thử lại.\n",
			"Xong rồi."},
		{"outlook chinese",
			"好了。\n\n发件人: Frontdesk Support <support@frontdesk.test>\n发送时间: 2025年3月10日 9:00\n主题: 登录\n\n请再试一次。\n",
			"好了。"},
		{"qq mail",
			"收到。\n\n------------------ 原始邮件 ------------------\n发件人: \"Support\"<support@frontdesk.test>;\n\n请再试一次。\n",
			"收到。"},
		{"interleaved answers",
			"> Which browser?\nFirefox 130.\n> Which device?\nA laptop.\n",
			"Firefox 130.\nA laptop."},
		{"no quote", "Hello,\n\nI cannot sign in.\n", "Hello,\n\nI cannot sign in."},
		{"prose that looks like an attribution",
			"On Monday my colleague wrote: it failed again.\nPlease help.",
			"On Monday my colleague wrote: it failed again.\nPlease help."},
		{"forwarded message is kept",
			"See below.\n\n---------- Forwarded message ---------\nFrom: Bank <noreply@bank.example>\nDate: Mon, 10 Mar 2025\nSubject: Alert\n\nYour card was blocked.",
			"See below.\n\n---------- Forwarded message ---------\nFrom: Bank <noreply@bank.example>\nDate: Mon, 10 Mar 2025\nSubject: Alert\n\nYour card was blocked."},
		{"only quotes", "> just a quote\n", "> just a quote\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StripQuoted(tt.in); got != tt.want {
				t.Errorf("StripQuoted() = %q\nwant             %q", got, tt.want)
			}
		})
	}
}

func TestStripQuotedFixture(t *testing.T) {
	msg := parseFile(t, "outlook_reply.eml")
	if got := StripQuoted(msg.Text); got != "收到，谢谢！现在可以登录了。" {
		t.Errorf("StripQuoted = %q", got)
	}
}
