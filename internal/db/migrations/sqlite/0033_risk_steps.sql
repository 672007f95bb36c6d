-- The risk engine at steps other than sign-in (docs/security.md, "Risk
-- engine"). A password reset that the rules challenged leaves the rule's
-- name in accounts.risk_recheck: the next sign-in steps up whatever the
-- rules say then, and a completed sign-in clears it. A support-assisted
-- recovery keeps the engine's verdict at filing (decision, rule, signal
-- names; no personal data) for the agent who handles it; a challenged or
-- blocked one needs a second approver.
ALTER TABLE accounts ADD COLUMN risk_recheck TEXT NOT NULL DEFAULT '';
ALTER TABLE recovery_requests ADD COLUMN risk_decision TEXT NOT NULL DEFAULT '';
ALTER TABLE recovery_requests ADD COLUMN risk_rule TEXT NOT NULL DEFAULT '';
ALTER TABLE recovery_requests ADD COLUMN risk_signals TEXT NOT NULL DEFAULT '';
