package openapi

import "net/http"

// consentOps are the routes of the customer's own consents (the consent
// ledger, docs/privacy.md).
var consentOps = map[string]Op{
	"GET /api/v1/account/consents": {Summary: "Your consents: each purpose's current notice (every language), where you stand " +
		"(active, outdated, ask_again: the notice changed materially since your choice, so you are asked to choose again), and every record, newest first. " +
		"With Sec-GPC: 1, a standing consent to analytics is withdrawn first (channel gpc)",
		Result: []string{"purposes:array!", "records:array!", "gpc:boolean!"}},
	"POST /api/v1/account/consents": {Summary: "Give or withdraw consent to an optional purpose (marketing_email, analytics, assist_recording), " +
		"or acknowledge the privacy_policy; version is the notice version shown (0: the current one). 201 with the new record, " +
		"200 with the standing one when nothing changes; 409 notice_changed, 409 gpc_objection",
		Body: []string{"purpose:string!", "choice:string!", "version:integer"}, Status: http.StatusCreated,
		Result: []string{"record:object", "changed:boolean!"}},
	"GET /api/v1/account/consents/{id}/receipt": {Summary: "The signed receipt of one of your records (SHA-256 hash of the receipt, HMAC signature by the service)",
		Result: []string{"receipt:object!", "hash:string!", "signature:string!", "algorithm:string!"}},
}
