package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// POST /api/v1/messaging/inbound: a messaging bridge delivers a customer's
// message (docs/messaging-webhooks.md). The signature is the credential:
// no session, no token.
func (s *Handler) apiMessagingInbound(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Support == nil || len(s.deps.MessagingSecrets) == 0 {
		return web.ErrNotFound
	}
	body, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return web.ErrBodyTooLarge
	}
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := support.VerifyWebhook(s.deps.MessagingSecrets, r.Header.Get("Frontdesk-Signature"), body, s.Now()); err != nil {
		s.Log.WarnContext(ctx, "messaging webhook refused", "security_event", "webhook_signature", "reason", err.Error())
		code, msg := "invalid_signature", "The Frontdesk-Signature header is missing or does not match the body."
		if errors.Is(err, support.ErrWebhookStale) {
			code, msg = "stale_signature", "The signature's timestamp is more than 5 minutes away from our clock."
		}
		return &web.Error{Status: http.StatusUnauthorized, Code: code, Message: msg}
	}
	var in support.MessagingInbound
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	conv, msg, dup, err := s.deps.Support.ReceiveMessaging(ctx, r.Header.Get("Frontdesk-Delivery"), in)
	switch {
	case errors.Is(err, support.ErrWebhookReplay):
		return &web.Error{Status: http.StatusConflict, Code: "delivery_replayed", Message: "This delivery id was received before."}
	case err != nil:
		return web.SupportError(err)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"conversation_id": conv.ID, "message_id": msg.ID, "duplicate": dup})
	return nil
}
