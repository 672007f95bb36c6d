-- The conversations still without a subject (started before subjects were
-- taken from the first message, or kept after their customer's erasure):
-- the start-up pass that names them (support.NameOldConversations) reads
-- only these, not every conversation, at each start.
CREATE INDEX conversations_unnamed ON conversations (id) WHERE subject_sealed IS NULL;
