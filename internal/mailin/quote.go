package mailin

import (
	"regexp"
	"strings"
)

var (
	// attribution matches the line a mailer writes above a quoted message:
	// "On <date>, <name> wrote:", Gmail's Vietnamese "Vào <date> <name> đã
	// viết:" and Chinese "在 <date>，<name> 写道：" or "<name> 于<date>写道：".
	attribution = regexp.MustCompile(`(?i)^(on\s.+\swrote:|vào\s.+\sđã viết:|.*(写道|寫道)\s*[:：])$`)
	// separator matches the line Outlook, Foxmail and QQ Mail put above the
	// previous message.
	separator = regexp.MustCompile(`(?i)^[-_=\s]*(original message|原始邮件|原始郵件|thư gốc)[-_=\s]*$`)
	// outlookFrom and outlookSent match the first two lines of the header
	// block Outlook writes above the previous message instead of quoting it.
	outlookFrom = regexp.MustCompile(`(?i)^\*?(from|từ|发件人|寄件者)\*?\s*[:：]`)
	outlookSent = regexp.MustCompile(`(?i)^\*?(sent|đã gửi|发送时间|寄件日期)\*?\s*[:：]`)
	// rule is Outlook on the web's line of underscores above that block.
	rule = regexp.MustCompile(`^_{10,}$`)
)

// StripQuoted returns the new part of a reply: it cuts the text at the
// previous message's attribution line ("On … wrote:", "Vào … đã viết:",
// "在 … 写道：") when quoted lines follow it, or at Outlook's "-----Original
// Message-----" separator or "From: … Sent: …" block, and drops the remaining
// lines that start with ">". Line ends become "\n". A text that would be left
// empty is returned unchanged, so that nothing the customer sent is lost.
func StripQuoted(text string) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i := range lines {
		if quoteStarts(lines, i) {
			lines = lines[:i]
			break
		}
	}
	var out []string
	blank := false
	for _, l := range lines {
		if isQuoted(l) {
			continue
		}
		l = strings.TrimRight(l, " \t\r")
		if l == "" && blank {
			continue
		}
		blank = l == ""
		out = append(out, l)
	}
	stripped := strings.Trim(strings.Join(out, "\n"), "\n")
	if strings.TrimSpace(stripped) == "" {
		return text
	}
	return stripped
}

// quoteStarts reports whether the previous message begins at lines[i].
func quoteStarts(lines []string, i int) bool {
	line := strings.TrimSpace(lines[i])
	switch {
	case line == "":
		return false
	case separator.MatchString(line):
		return true
	case outlookFrom.MatchString(line):
		return outlookSent.MatchString(nextNonBlank(lines, i+1))
	case rule.MatchString(line):
		j := nextIndex(lines, i+1)
		return j < len(lines) && outlookFrom.MatchString(strings.TrimSpace(lines[j])) &&
			outlookSent.MatchString(nextNonBlank(lines, j+1))
	case attribution.MatchString(line):
		return quotedFrom(lines, i+1)
	}
	// Gmail wraps a long attribution line, often inside the address.
	if i+1 < len(lines) {
		next := strings.TrimSpace(lines[i+1])
		if !attribution.MatchString(next) && attribution.MatchString(line+" "+next) {
			return quotedFrom(lines, i+2)
		}
	}
	return false
}

// quotedFrom reports whether the first non-blank line from lines[i] on is
// quoted.
func quotedFrom(lines []string, i int) bool {
	j := nextIndex(lines, i)
	return j < len(lines) && isQuoted(lines[j])
}

func nextNonBlank(lines []string, i int) string {
	if j := nextIndex(lines, i); j < len(lines) {
		return strings.TrimSpace(lines[j])
	}
	return ""
}

// nextIndex returns the index of the first non-blank line from lines[i] on,
// or len(lines).
func nextIndex(lines []string, i int) int {
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	return i
}

func isQuoted(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, " \t"), ">")
}
