-- The inbox reads conversations newest activity first and stops at a page:
-- the open and pending ones (the default view) in their own partial index,
-- every status in order, and one category in order, so none of these
-- listings sorts the whole table (see internal/support/inbox.go).
CREATE INDEX conversations_active ON conversations (last_message_at, id) WHERE status IN ('open', 'pending');
CREATE INDEX conversations_recent ON conversations (last_message_at, id);
CREATE INDEX conversations_category ON conversations (category, last_message_at, id);
