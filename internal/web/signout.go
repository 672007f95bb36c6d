package web

import "net/http"

// clearSiteData tells the browser to drop everything this origin stored —
// cache, cookies (the device and remember-device cookies included) and
// storage — when its user signs out (ASVS 14.3.1).
func clearSiteData(w http.ResponseWriter) {
	w.Header().Set("Clear-Site-Data", `"cache", "cookies", "storage"`)
}
