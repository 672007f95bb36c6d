package openapi

import "net/http"

// privacyOps are the routes of the customer's data export and account
// closure (docs/privacy.md).
var privacyOps = map[string]Op{
	"POST /api/v1/account/export": {Summary: "Ask for a copy of your data (after a recent sign-in or step-up); mailed when ready",
		Status: http.StatusAccepted, Result: []string{"export:object!"}},
	"GET /api/v1/account/exports/{id}": {Summary: "An export's status, with its download URL when ready",
		Result: []string{"export:object!"}},
	"GET /api/v1/account/exports/{id}/download": {Summary: "The export as a ZIP, to its owner, once", Media: "application/zip"},
	"DELETE /api/v1/account": {Summary: "Close your account after the cool-off (after a recent sign-in or step-up)",
		Status: http.StatusAccepted, Result: []string{"closes_at:string!"}},
	"GET /api/v1/account/closure":    {Summary: "Your account's pending closure, or null", Result: []string{"closure:object"}},
	"DELETE /api/v1/account/closure": {Summary: "Keep your account: cancel its closure", Status: http.StatusNoContent},
	"POST /api/v1/account/closure/cancel": {Summary: "Keep an account with the mailed link's token (works once)",
		Body: []string{"token:string!"}, Status: http.StatusNoContent},
}
