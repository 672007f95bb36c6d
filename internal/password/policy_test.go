package password

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// lenient has no minimum worth the name and no composition rules, to reach
// the common-password rule with the short samples.
var lenient = Profile{Name: "lenient", MinLength: 8, MaxLength: 64}

// passphrase is long ordinary text to cut passwords of any length from.
const passphrase = "the kettle sang while seven owls argued about the price of moonlight " +
	"over a lukewarm pot of tea, and nobody in the valley remembered why the bridge " +
	"had been painted orange in the first place, although the ferryman claimed it was " +
	"his grandmother's idea after a particularly long winter of card games and quiet rain"

// first returns the first n code points of s.
func first(s string, n int) string { return string([]rune(s)[:n]) }

func TestCheckLength(t *testing.T) {
	bytes64 := Profile{Name: "bytes", MinLength: 15, MaxLength: 256, MaxBytes: 64}
	tests := []struct {
		name    string
		profile Profile
		pw      string
		code    string
	}{
		// ASVS 6.2.1: at least 15 characters under the default profile
		// (PCI DSS 8.3.6: 12), counted in code points.
		{"default exact minimum", ProfileDefault, "plum tree sings", ""},
		{"default minimum-1", ProfileDefault, "plum tree sing", CodeTooShort},
		{"default Vietnamese 15 code points, 22 bytes", ProfileDefault, "Tiếng Việt đẹp!", ""},
		{"default Vietnamese 14 code points, 21 bytes", ProfileDefault, "Tiếng Việt đẹp", CodeTooShort},
		// NFD input has 20 and 19 code points; Check counts after NFC.
		{"default Vietnamese NFD 15 after NFC", ProfileDefault, norm.NFD.String("Tiếng Việt đẹp!"), ""},
		{"default Vietnamese NFD 14 after NFC", ProfileDefault, norm.NFD.String("Tiếng Việt đẹp"), CodeTooShort},
		{"default Chinese 15 code points, 45 bytes", ProfileDefault, "我们明天早上八点在海边见面吧好", ""},
		{"default Chinese 14 code points, 42 bytes", ProfileDefault, "我们明天早上八点在海边见面吧", CodeTooShort},
		{"pci exact minimum", ProfilePCI, "Kite#Mango42", ""},
		{"pci minimum-1", ProfilePCI, "Kite#Mango4", CodeTooShort},
		{"pci Vietnamese exact minimum", ProfilePCI, "Đà Lạt mưa1!", ""},
		{"pci Vietnamese minimum-1", ProfilePCI, "Đà Lạtmưa1!", CodeTooShort},
		// ASVS 6.2.9: at least 64 characters are permitted, 128 too.
		{"default 64", ProfileDefault, first(passphrase, 64), ""},
		{"default 128", ProfileDefault, first(passphrase, 128), ""},
		{"default 256", ProfileDefault, first(passphrase, 256), ""},
		{"default 257", ProfileDefault, first(passphrase, 257), CodeTooLong},
		{"pci 128", ProfilePCI, "A1!" + first(passphrase, 125), ""},
		{"pci 257", ProfilePCI, "A1!" + first(passphrase, 254), CodeTooLong},
		{"bytes 21 Chinese, 63 bytes", bytes64, strings.Repeat("我们明天早上八点在海边见面吧好", 2)[:63], ""},
		{"bytes 22 Chinese, 66 bytes", bytes64, strings.Repeat("我们明天早上八点在海边见面吧好", 2)[:66], CodeTooLong},
		{"invalid UTF-8", ProfileDefault, "plum tree sings\xff", CodeInvalidUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertProblem(t, tt.profile.Check(tt.pw, Context{}), tt.code)
		})
	}
}

func TestCheckPassphrase(t *testing.T) {
	// ASVS 6.2.5: any characters, spaces included; no composition rules.
	for _, pw := range []string{
		"correct horse battery staple",
		"Correct Horse Battery Staple",
		"mật khẩu dài lắm nhé",
		"я люблю гречку и чай",
	} {
		assertProblem(t, ProfileDefault.Check(pw, Context{}), "")
	}
}

func TestCheckComposition(t *testing.T) {
	// PCI DSS 8.3.6: numeric and alphabetic characters; the PCI profile asks
	// for all four classes.
	tests := []struct {
		pw   string
		code string
	}{
		{"Blue-Harbor-27", ""},
		{"Blue Harbor 27", ""},
		{"blue-harbor-27", CodeMissingUpper},
		{"BLUE-HARBOR-27", CodeMissingLower},
		{"Blue-Harbor-xy", CodeMissingDigit},
		{"BlueHarbor2718", CodeMissingSpecial},
		{"Ölfeld-Straße-9", ""},
		{"ölfeld-straße-9", CodeMissingUpper},
	}
	for _, tt := range tests {
		t.Run(tt.pw, func(t *testing.T) {
			assertProblem(t, ProfilePCI.Check(tt.pw, Context{}), tt.code)
			// The default profile has no composition rules.
			if p := ProfileDefault.Check(tt.pw+"-extra", Context{}); p != nil && strings.HasPrefix(p.Code, "missing_") {
				t.Errorf("default profile: %v", p.Code)
			}
		})
	}
}

func TestCheckCommon(t *testing.T) {
	// ASVS 6.2.4: passwords on a list of common passwords are refused, also
	// when stretched with digits, punctuation or leetspeak.
	tests := []struct {
		name    string
		profile Profile
		pw      string
		code    string
	}{
		{"passwordpassword (on the list)", ProfileDefault, "passwordpassword", CodeCommon},
		{"123456789012 (on the list)", lenient, "123456789012", CodeCommon},
		// Not on the list (zxcvbn drops keyboard walks from it); refused by the
		// keyboard-run rule.
		{"qwertyuiopasdf (keyboard run)", lenient, "qwertyuiopasdf", CodeCommon},
		{"upper case", ProfileDefault, "PasswordPassword", CodeCommon},
		{"trailing digits and punctuation", ProfileDefault, "Password2025!!!!", CodeCommon},
		{"leetspeak", ProfileDefault, "P@$$w0rdP@$$w0rd", CodeCommon},
		{"leetspeak 1 as l", ProfileDefault, "1iverpool1234567", CodeCommon},
		{"leetspeak 1 as i", ProfileDefault, "1loveyou12345678", CodeCommon},
		{"repeated word", ProfileDefault, "monkeymonkeymonkey", CodeCommon},
		{"repeated character", ProfileDefault, "zzzzzzzzzzzzzzzz", CodeCommon},
		{"alphabet run", ProfileDefault, "abcdefghijklmnop", CodeCommon},
		{"reversed digit run", ProfileDefault, "9876543210987654", CodeCommon},
		{"pci composition met, still common", ProfilePCI, "Password12345!", CodeCommon},
		{"random tail after a stub", ProfileDefault, "x84039172650183", ""},
		{"not common", lenient, "kettle owls", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertProblem(t, tt.profile.Check(tt.pw, Context{}), tt.code)
		})
	}
}

func TestCheckContext(t *testing.T) {
	// ASVS 6.1.2: no password made of the account's or the organisation's
	// own words.
	c := Context{Email: "Jane.Doe1984@example.com", Name: "Jane Doe", OrgName: "Acme Bank", Extra: []string{"FrontDesk"}}
	tests := []struct {
		name    string
		profile Profile
		pw      string
		word    string
	}{
		{"organisation without space", ProfilePCI, "AcmeBank2025!!", "acmebank"},
		{"organisation with space", ProfileDefault, "I work at acme bank daily", "acme bank"},
		{"organisation leetspeak", ProfilePCI, "Acm3B4nk-2025!", "acmebank"},
		{"whole e-mail", ProfileDefault, "jane.doe1984@example.com", "jane.doe1984@example.com"},
		{"e-mail local part", ProfileDefault, "xx-jane.doe1984-xx", "jane.doe1984"},
		{"e-mail local part piece", ProfileDefault, "born in doe1984 yes", "doe1984"},
		{"name", ProfileDefault, "my name is Jane, hello", "jane"},
		{"name without space", ProfileDefault, "JaneDoe says hi there", "janedoe"},
		{"extra word", ProfileDefault, "frontdesk is my login", "frontdesk"},
		{"short name part ignored", ProfileDefault, "a doe in the forest", ""},
		{"unrelated", ProfileDefault, "the kettle sang softly", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.profile.Check(tt.pw, c)
			if tt.word == "" {
				assertProblem(t, p, "")
				return
			}
			assertProblem(t, p, CodeContext)
			if p != nil && p.Word != tt.word {
				t.Errorf("Word = %q, want %q", p.Word, tt.word)
			}
		})
	}
}

func TestProblemError(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Code: CodeTooShort, Min: 15}, "Use at least 15 characters."},
		{Problem{Code: CodeTooLong, Max: 256}, "Use at most 256 characters."},
		{Problem{Code: CodeMissingUpper}, "Include at least one upper-case letter."},
		{Problem{Code: CodeMissingLower}, "Include at least one lower-case letter."},
		{Problem{Code: CodeMissingDigit}, "Include at least one digit."},
		{Problem{Code: CodeMissingSpecial}, "Include at least one symbol, punctuation mark or space."},
		{Problem{Code: CodeCommon}, "This password is one of the most commonly used passwords."},
		{Problem{Code: CodeContext, Word: "acmebank"}, "The password must not contain your e-mail address, name or the organisation's name."},
		{Problem{Code: CodeInvalidUTF8}, "The password contains characters that are not valid text."},
		{Problem{Code: "other"}, "The password does not meet the password policy."},
	}
	for _, tt := range tests {
		if got := tt.p.Error(); got != tt.want {
			t.Errorf("%s: Error() = %q, want %q", tt.p.Code, got, tt.want)
		}
	}
	// The sentence never repeats the context word, let alone the password.
	p := ProfileDefault.Check("secret acmebank words", Context{OrgName: "AcmeBank"})
	if p == nil || strings.Contains(p.Error(), "acmebank") {
		t.Errorf("Check = %v", p)
	}
}

func TestProfileByName(t *testing.T) {
	tests := []struct {
		name string
		want Profile
		ok   bool
	}{
		{"default", ProfileDefault, true},
		{"pci", ProfilePCI, true},
		{"PCI", ProfilePCI, true},
		{"nist", Profile{}, false},
		{"", Profile{}, false},
	}
	for _, tt := range tests {
		got, ok := ProfileByName(tt.name)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ProfileByName(%q) = %+v, %v", tt.name, got, ok)
		}
	}
}

func TestNormalize(t *testing.T) {
	nfd := "e\u0301" // e + combining acute
	if got := Normalize(nfd); got != "\u00e9" || utf8.RuneCountInString(got) != 1 {
		t.Errorf("Normalize(%q) = %q", nfd, got)
	}
}

func assertProblem(t *testing.T, p *Problem, code string) {
	t.Helper()
	switch {
	case code == "" && p != nil:
		t.Errorf("Check = %s (%q), want nil", p.Code, p.Error())
	case code != "" && p == nil:
		t.Errorf("Check = nil, want %s", code)
	case code != "" && p.Code != code:
		t.Errorf("Check = %s, want %s", p.Code, code)
	}
}

// A password that breaks several rules is told all of them in one answer,
// in Check's order; Check's single answer is the first of them. PCI DSS
// 8.3.6 rules, NIST 800-63B 3.1.1.2 "say why".
func TestCheckAllReportsEveryRule(t *testing.T) {
	tests := []struct {
		profile Profile
		pw      string
		codes   []string
	}{
		{ProfilePCI, "blue", []string{CodeTooShort, CodeMissingUpper, CodeMissingDigit, CodeMissingSpecial, CodeCommon}},
		{ProfilePCI, "kettle owls", []string{CodeTooShort, CodeMissingUpper, CodeMissingDigit}},
		{ProfilePCI, "blueharborxyzw", []string{CodeMissingUpper, CodeMissingDigit, CodeMissingSpecial}},
		{ProfilePCI, "BLUEHARBOR2718", []string{CodeMissingLower, CodeMissingSpecial}},
		{ProfilePCI, "Blue-Harbor-27", nil},
		{ProfilePCI, "password", []string{CodeTooShort, CodeMissingUpper, CodeMissingDigit, CodeMissingSpecial, CodeCommon}},
		{ProfilePCI, "\xff\xfe", []string{CodeInvalidUTF8}},
		{ProfilePCI, strings.Repeat("a", 300), []string{CodeTooLong}},
		{ProfileDefault, "kettle owls", []string{CodeTooShort}},
	}
	for _, tt := range tests {
		t.Run(tt.profile.Name+" "+tt.pw[:min(len(tt.pw), 20)], func(t *testing.T) {
			got := tt.profile.CheckAll(tt.pw, Context{})
			var codes []string
			for _, p := range got {
				codes = append(codes, p.Code)
			}
			if strings.Join(codes, ",") != strings.Join(tt.codes, ",") {
				t.Fatalf("CheckAll = %v, want %v", codes, tt.codes)
			}
			first := tt.profile.Check(tt.pw, Context{})
			if (first == nil) != (len(got) == 0) || (first != nil && first.Code != got[0].Code) {
				t.Errorf("Check = %v, CheckAll starts with %v", first, codes)
			}
		})
	}
}
