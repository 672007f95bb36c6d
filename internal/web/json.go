package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// WriteJSON sends v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

type errorBody struct {
	Error struct {
		Code      string        `json:"code"`
		Message   string        `json:"message"`
		Field     string        `json:"field,omitempty"`
		Details   []ErrorDetail `json:"details,omitempty"`
		RequestID string        `json:"request_id,omitempty"`
	} `json:"error"`
}

// WriteJSONError sends the API's error shape:
// {"error":{"code":"…","message":"…","request_id":"…"}}, with "field" and
// "details" (every broken rule) when the error has them.
func WriteJSONError(w http.ResponseWriter, e *Error, requestID string) {
	var b errorBody
	b.Error.Code, b.Error.Message, b.Error.Field, b.Error.Details, b.Error.RequestID = e.Code, e.Message, e.Field, e.Details, requestID
	SetRetryAfter(w, e)
	WriteJSON(w, e.Status, b)
}

// DecodeJSON reads a JSON request body into v, refusing unknown fields,
// trailing data and oversized bodies with a 400 or 413 the client can act on.
func DecodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var ute *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return ErrBodyTooLarge
		case errors.Is(err, io.EOF):
			return Errorf(http.StatusBadRequest, "invalid_json", "The request body is empty; send a JSON object.")
		case errors.As(err, &ute):
			return Errorf(http.StatusBadRequest, "invalid_json", "Field %q has the wrong type.", ute.Field)
		default:
			return &Error{Status: http.StatusBadRequest, Code: "invalid_json", Message: "The request body is not valid JSON for this endpoint.", Err: err}
		}
	}
	if dec.More() {
		return Errorf(http.StatusBadRequest, "invalid_json", "The request body has data after the JSON object.")
	}
	return nil
}

// SetRetryAfter sends Retry-After (whole seconds, rounded up) with 429 and
// 503 answers.
func SetRetryAfter(w http.ResponseWriter, e *Error) {
	if e.Status != http.StatusServiceUnavailable && e.Status != http.StatusTooManyRequests {
		return
	}
	secs := 5
	if e.RetryAfter > 0 {
		secs = int((e.RetryAfter + time.Second - 1) / time.Second)
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
}
