package web

import "net/http"

// ClearSiteData tells the browser to drop this origin's cache and storage
// when its user signs out (ASVS 14.3.1). Cookies are left: the session
// cookie is expired by the sign-out itself, and the device and "remember
// this browser" cookies are the customer's choice (docs/security.md).
func ClearSiteData(w http.ResponseWriter) {
	w.Header().Set("Clear-Site-Data", `"cache", "storage"`)
}
