package openapi

// The shared shapes the operations refer to as #Name.
var schemas = map[string][]string{
	"Account": {"id:string!", "kind:string!", "status:string!", "email:string!", "name:string", "phone:string", "locale:string!",
		"email_verified:boolean!", "created_at:date-time!"},
	"Session": {"id:string!", "client:string", "device:string", "ip:string", "created_at:date-time!", "authenticated_at:date-time",
		"last_seen_at:date-time", "expires_at:date-time!", "idle_expires_at:date-time", "current:boolean", "aal:integer!", "methods:[]string", "must_enrol:boolean"},
	"AdminAccount": {"id:string!", "kind:string!", "status:string!", "email:string!", "name:string", "phone:string", "locale:string!",
		"email_verified:boolean!", "created_at:date-time!", "locked:boolean!", "locked_until:date-time", "failed_logins:integer",
		"must_reset:boolean", "last_active_at:date-time", "roles:[]string", "masked:boolean!", "revealed_until:date-time"},
	"RowError": {"line:integer!", "field:string!", "reason:string!"},
	"Job": {"id:string!", "type:string!", "format:string!", "dry_run:boolean", "status:string!", "reason:string", "started_at:date-time!",
		"finished_at:date-time", "progress:object!", "file_url:string"},
	"Role":  {"name:string!", "built_in:boolean!", "permissions:[]string!"},
	"Staff": {"id:string!", "email:string!", "name:string", "status:string!", "locale:string", "created_at:date-time", "roles:[]string!"},
	"AuditEntry": {"seq:integer!", "at:date-time!", "actor:object!", "action:string!", "target:string!", "outcome:string!",
		"subject:string", "ip:string", "request_id:string", "details:object!", "personal:string", "hash:string!"},
	"ApiKey": {"id:string!", "name:string!", "scopes:[]string!", "created_by:string!", "created_at:date-time!", "expires_at:date-time!",
		"last_used_at:date-time", "revoked_at:date-time", "state:string!"},
	"ServiceAccount": {"id:string!", "name:string!", "description:string!", "roles:[]string!", "permissions:[]string!",
		"created_by:string!", "created_at:date-time!", "disabled_at:date-time", "keys:[]#ApiKey!"},
	"ConsentStanding": {"account_id:string!", "email:string!", "purpose:string!", "choice:string!", "notice_version:integer!",
		"channel:string!", "recorded_at:date-time!", "record_id:string!"},
	"RecoveryRequest": {"id:string!", "status:string!", "created_at:date-time"},
	"ErrorDetail":     {"field:string", "code:string!", "message:string!"},
}

func components() map[string]any {
	s := map[string]any{
		"Error": map[string]any{"type": "object", "required": []string{"error"}, "properties": map[string]any{
			"error": object([]string{"code:string!", "message:string!", "field:string", "details:[]#ErrorDetail", "request_id:string"})}},
	}
	for name, fields := range schemas {
		s[name] = object(fields)
	}
	return map[string]any{
		"schemas": s,
		"responses": map[string]any{"Error": map[string]any{"description": "An error: 400 bad input, 401 not authenticated, 403 not allowed, " +
			"404 not found, 409 conflict, 413 body too large, 415 not JSON, 429 rate limited (Retry-After), 5xx server side.",
			"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}},
		"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
			"description": "A session token from POST /api/v1/sessions, or on /api/v1/admin/ a service account's API key (fdk_…)."}},
	}
}
