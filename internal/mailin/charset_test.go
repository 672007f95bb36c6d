package mailin

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// TestParseCharsets sends the same words in each legacy charset, once as an
// RFC 2047 subject and once as an 8-bit body, and expects UTF-8 back.
func TestParseCharsets(t *testing.T) {
	tests := []struct {
		charset string
		enc     encoding.Encoding
		text    string
	}{
		{"ISO-8859-1", charmap.ISO8859_1, "Ça ne marche pas, señor"},
		{"iso-8859-2", charmap.ISO8859_2, "Nie mogę się zalogować"},
		{"Windows-1252", charmap.Windows1252, "It’s “broken” – €5"},
		{"KOI8-R", charmap.KOI8R, "Не могу войти"},
		// Mail's GB2312 is EUC-CN, which GBK extends.
		{"GB2312", simplifiedchinese.GBK, "忘记密码"},
		{"GBK", simplifiedchinese.GBK, "忘记密码，無法登录"},
		{"GB18030", simplifiedchinese.GB18030, "忘记密码 𠀀"},
		{"Big5", traditionalchinese.Big5, "忘記密碼，無法登入"},
		{"Shift_JIS", japanese.ShiftJIS, "パスワードを忘れました"},
		{"ISO-2022-JP", japanese.ISO2022JP, "ログインできません"},
		{"EUC-KR", korean.EUCKR, "비밀번호를 잊어버렸습니다"},
	}
	for _, tt := range tests {
		t.Run(tt.charset, func(t *testing.T) {
			encoded, err := tt.enc.NewEncoder().String(tt.text)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			raw := fmt.Sprintf("From: a@example.com\r\nSubject: =?%s?B?%s?=\r\n"+
				"Content-Type: text/plain; charset=%q\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
				tt.charset, base64.StdEncoding.EncodeToString([]byte(encoded)), tt.charset, encoded)
			msg, err := Parse(strings.NewReader(raw), testLimit)
			if err != nil {
				t.Fatal(err)
			}
			if msg.Subject != tt.text {
				t.Errorf("Subject = %q, want %q", msg.Subject, tt.text)
			}
			if msg.Text != tt.text {
				t.Errorf("Text = %q, want %q", msg.Text, tt.text)
			}
		})
	}
}

func TestParseUnknownCharset(t *testing.T) {
	raw := "From: a@example.com\nSubject: =?x-unknown?Q?abc?=\nContent-Type: text/plain; charset=x-unknown\n\nplain ascii \xff\n"
	msg, err := Parse(strings.NewReader(raw), testLimit)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Text != "plain ascii \uFFFD" {
		t.Errorf("Text = %q, want the body as sent, made valid UTF-8", msg.Text)
	}
	if msg.Subject == "" {
		t.Error("Subject lost")
	}
}
