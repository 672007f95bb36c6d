package openapi

import "net/http"

var sessionResult = []string{"token:string", "session:#Session", "account:#Account", "mfa_required:boolean", "challenge:string", "methods:[]string", "reason:string"}

// accountOps are the routes of accounts and sessions (internal/web/api).
var accountOps = map[string]Op{
	"POST /api/v1/registrations": {Summary: "Register; the same answer whether or not the address is registered",
		Body: []string{"email:string!", "password:string!", "name:string", "phone:string", "locale:string"}, Status: http.StatusAccepted,
		Result: []string{"status:string!", "registration:string"}},
	"POST /api/v1/registrations/verify": {Summary: "Verify the address with the mailed code",
		Body: []string{"email:string!", "code:string!", "registration:string", "password:string"}, Result: []string{"account:#Account!"}},
	"POST /api/v1/registrations/resend": {Summary: "Mail a new code and link for a registration still waiting; the same answer whatever happened",
		Body: []string{"email:string!", "registration:string!"}, Status: http.StatusAccepted, Result: []string{"status:string!"}},
	"POST /api/v1/sessions": {Summary: "Sign in with e-mail and password; 200 with a challenge when a second step is needed",
		Body: []string{"email:string!", "password:string!"}, Status: http.StatusCreated, Result: sessionResult},
	"GET /api/v1/session":          {Summary: "The current session and its account", Result: []string{"account:#Account!", "session:#Session!"}},
	"DELETE /api/v1/session":       {Summary: "Sign out", Status: http.StatusNoContent},
	"GET /api/v1/sessions":         {Summary: "This account's sessions", Result: []string{"sessions:[]#Session!"}},
	"DELETE /api/v1/sessions":      {Summary: "End every other session of this account", Result: []string{"ended:integer!"}},
	"DELETE /api/v1/sessions/{id}": {Summary: "End one session", Status: http.StatusNoContent},
	"POST /api/v1/password-resets": {Summary: "Ask for a reset e-mail; the same answer for unknown addresses",
		Body: []string{"email:string!"}, Status: http.StatusAccepted, Result: []string{"status:string!"}},
	"POST /api/v1/password-resets/confirm": {Summary: "Choose a new password with the mailed code",
		Body: []string{"email:string!", "code:string!", "password:string!"}, Status: http.StatusNoContent},
	"GET /api/v1/account": {Summary: "The signed-in account", Result: []string{"account:#Account!"}},
	"PUT /api/v1/account/password": {Summary: "Change the password",
		Body: []string{"current_password:string!", "password:string!"}, Status: http.StatusNoContent},
	"GET /api/v1/account/login-history": {Summary: "Recent sign-ins and failures",
		Result: []string{"events:[]object!"}},
	"GET /api/v1/account/remembered-devices":         {Summary: "Devices that skip the second step", Result: []string{"devices:[]object!"}},
	"DELETE /api/v1/account/remembered-devices/{id}": {Summary: "Forget a remembered device", Status: http.StatusNoContent},
}
