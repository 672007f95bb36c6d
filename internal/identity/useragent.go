package identity

import "strings"

// DeviceName describes a user agent the way people recognise their
// devices, e.g. "Firefox on Windows" or "Safari on iPhone". It looks only
// for well-known tokens; anything else is "Unknown device" or the first
// product token ("curl", "okhttp").
func DeviceName(ua string) string {
	if len(ua) > 512 {
		ua = ua[:512]
	}
	browser := ""
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"EdgiOS/", "Edge"}, {"OPR/", "Opera"}, {"SamsungBrowser/", "Samsung Internet"},
		{"YaBrowser/", "Yandex Browser"}, {"UCBrowser/", "UC Browser"}, {"coc_coc_browser/", "Cốc Cốc"},
		{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"}, {"CriOS/", "Chrome"}, {"HeadlessChrome/", "Headless Chrome"},
		{"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	os := ""
	for _, o := range []struct{ token, name string }{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"CrOS", "ChromeOS"},
		{"Windows", "Windows"}, {"Macintosh", "macOS"}, {"Mac OS X", "macOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			os = o.name
			break
		}
	}
	switch {
	case browser != "" && os != "":
		return browser + " on " + os
	case browser != "":
		return browser
	case os != "":
		return os
	}
	if tok, _, _ := strings.Cut(ua, "/"); tok != "" && len(tok) <= 40 && !strings.ContainsAny(tok, " ()") {
		return tok
	}
	return "Unknown device"
}
