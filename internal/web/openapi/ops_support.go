package openapi

// supportOps are the routes of the help centre and the messaging bridges.
var supportOps = map[string]Op{
	"GET /api/v1/kb/search": {Summary: "Search the help centre", Query: []string{"q:string!", "locale:string"},
		Result: []string{"results:[]object!", "corrected:[]string"}},
	"POST /api/v1/messaging/inbound": {Summary: "A messaging bridge delivers a customer's message (HMAC-signed; the signature is the credential)",
		Body: []string{"platform:string!", "chat_id:string!", "message_id:string!", "from:string", "locale:string", "text:string!"}, Result: []string{"conversation_id:string!", "message_id:string!", "duplicate:boolean!"}},
}

// serverOps are the server's own JSON routes.
var serverOps = map[string]Op{
	"GET /api/v1/openapi.json": {Summary: "This document", Result: []string{"openapi:string!", "info:object!", "paths:object!", "components:object"}},
}
